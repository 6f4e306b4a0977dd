"""Screens and dialogs of the terminal app; each module holds one public screen class."""
