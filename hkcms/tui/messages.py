"""Messages that widgets post upward; screens handle them and call the core."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PostHighlighted(Message):
    """The cursor of the posts table moved to another post."""

    slug: str | None


@dataclass
class PostChosen(Message):
    """The user pressed Enter on a post in the posts table."""

    slug: str


class SettingsChanged(Message):
    """hkcms.toml was read again: screens showing settings redraw them."""


@dataclass
class FieldsChanged(Message):
    """A front matter field was edited in the fields form."""

    name: str
    value: str
