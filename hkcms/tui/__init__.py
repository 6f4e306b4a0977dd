"""Textual terminal user interface."""
