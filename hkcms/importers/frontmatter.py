"""Front matter of Jekyll and Hugo files: YAML (---), TOML (+++) or JSON, with line numbers."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(Exception):
    """Front matter that cannot be read; `line` is the line of the file at fault."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class FrontMatter:
    """The parsed front matter, the body after it and the body's first line number."""

    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    kind: str = "none"  # "yaml" | "toml" | "json" | "none"


def split_front_matter(text: str) -> FrontMatter:
    """Split a file into front matter and body; raises FrontMatterError naming the line."""
    first = text.split("\n", 1)[0].rstrip("\r").rstrip()
    if first in ("---", "+++"):
        return _delimited(text, first)
    if text.lstrip().startswith("{"):
        return _json(text)
    return FrontMatter(body=text)


def _delimited(text: str, fence: str) -> FrontMatter:
    lines = text.split("\n")
    closers = ("---", "...") if fence == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r").rstrip() in closers:
            inner = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            data = _yaml(inner) if fence == "---" else _toml(inner)
            kind = "yaml" if fence == "---" else "toml"
            return FrontMatter(data=data, body=body, body_line=index + 2, kind=kind)
    raise FrontMatterError(f"front matter is not closed: add a '{fence}' line after it", 1)


def _yaml(inner: str) -> dict[str, Any]:
    try:
        if "&" in inner or "*" in inner:
            for event in yaml.parse(inner, Loader=_SafeLoader):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    line = 2 + (event.start_mark.line if event.start_mark else 0)
                    raise FrontMatterError("YAML anchors or aliases (&, *) are refused", line)
        data = yaml.load(inner, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = 2 + mark.line if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"front matter is not valid YAML: {problem}", line) from exc
    return _mapping(data, "YAML")


def _toml(inner: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(inner)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = 1 + int(match.group(1)) if match else 2
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise FrontMatterError(f"front matter is not valid TOML: {message}", line) from exc
    return data


def _json(text: str) -> FrontMatter:
    start = len(text) - len(text.lstrip())
    try:
        data, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"front matter is not valid JSON: {exc.msg}", exc.lineno) from exc
    rest = text[end:]
    newline = rest.find("\n")
    body = "" if newline < 0 else rest[newline + 1 :]
    body_line = text[:end].count("\n") + 2
    return FrontMatter(data=_mapping(data, "JSON"), body=body, body_line=body_line, kind="json")


def _mapping(data: Any, kind: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"{kind} front matter must be a mapping of keys to values", 2)
    return {str(k): v for k, v in data.items()}
