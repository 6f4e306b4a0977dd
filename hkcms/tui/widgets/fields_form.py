"""FieldsForm: the post's front matter (title, tags, status, author, lang, summary) as inputs."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Select

from hkcms.core.post import STATUSES, Post
from hkcms.tui.messages import FieldsChanged

FIELDS = ("title", "tags", "status", "author", "lang", "summary")
HINTS = {
    "title": "the post's title",
    "tags": "comma-separated, e.g. events, 活動",
    "author": "who wrote it",
    "lang": "en or zh-Hant",
    "summary": "one sentence for the index and feeds",
}


def fields_of(post: Post) -> dict[str, str]:
    """The form's text values of a post's front matter."""
    return {
        "title": post.title,
        "tags": ", ".join(post.tags),
        "status": post.status,
        "author": post.author,
        "lang": post.lang,
        "summary": post.summary,
    }


def apply_fields(front: dict[str, Any], old: dict[str, str], new: dict[str, str]) -> None:
    """Write changed form values into front matter; untouched keys keep their exact YAML."""
    for name in FIELDS:
        if new[name] == old[name]:
            continue
        value: Any = new[name].strip()
        if name == "tags":
            value = [t.strip() for t in value.replace("，", ",").split(",") if t.strip()]
        if value in ("", []) and name not in ("title", "tags"):
            front.pop(name, None)
        else:
            front[name] = value


class FieldsForm(Grid):
    """Label/input pairs; each edit posts FieldsChanged."""

    def __init__(self, values: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values = {name: values.get(name, "") for name in FIELDS}

    def compose(self) -> ComposeResult:
        for name in FIELDS:
            yield Label(name.capitalize(), classes="field-label")
            if name == "status":
                yield Select(
                    [(s, s) for s in STATUSES],
                    value=self._values["status"] or "published",
                    allow_blank=False,
                    compact=True,
                    id="field-status",
                )
            else:
                yield Input(
                    self._values[name],
                    placeholder=HINTS[name],
                    compact=True,
                    select_on_focus=False,  # typing must add to the title, never replace it
                    id=f"field-{name}",
                )

    def values(self) -> dict[str, str]:
        # Kept in a dict, not read from the inputs: they may not be composed yet.
        return dict(self._values)

    def load(self, values: dict[str, str]) -> None:
        self._values = {name: values.get(name, "") for name in FIELDS}
        if not self.query(f"#field-{FIELDS[-1]}"):
            return  # compose() will show these values
        with self.prevent(Input.Changed, Select.Changed):
            for name in FIELDS:
                widget = self.query_one(f"#field-{name}")
                if isinstance(widget, Input | Select):
                    widget.value = self._values[name]

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        name = (event.control.id or "").removeprefix("field-")
        if name not in self._values:
            return
        self._values[name] = str(event.value)
        self.post_message(FieldsChanged(name, str(event.value)))
