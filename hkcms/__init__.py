"""hkcms: a terminal content manager for a small community blog."""

__version__ = "0.1.0"
