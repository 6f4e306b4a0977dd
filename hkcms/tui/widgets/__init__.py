"""Widgets of the terminal app; each module holds one public widget class."""
