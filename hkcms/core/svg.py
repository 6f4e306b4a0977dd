"""SVG sanitising: no scripts, event handlers or external references survive (defusedxml)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from hkcms.core.errors import HkcmsError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_SVG_BYTES = 2 * 1024 * 1024
# Elements that run code, embed other documents or pull in resources: removed with their content.
# Animation elements can set an href to javascript: after load, so they go too.
_DROP = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler",
         "listener", "set", "animate", "animatemotion", "animatetransform"}  # fmt: skip
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)[^)]*\)|@import|expression\(|javascript:", re.I)

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class SvgError(HkcmsError):
    """An SVG file cannot be published (not XML, not SVG, or a hostile document)."""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def sanitize_svg(data: bytes, path: Path) -> tuple[bytes, list[str]]:
    """(sanitised SVG bytes, what was removed). Refuses what is not a well-formed SVG document,
    and documents with DTDs or entities (XML bombs)."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"is larger than {MAX_SVG_BYTES // 1024 // 1024} MB; refusing it", path)
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SvgError(f"declares a DTD or entities, which are refused ({exc})", path) from exc
    except ET.ParseError as exc:
        raise SvgError(f"is not a well-formed SVG file ({exc})", path) from exc
    if _local(root.tag) != "svg":
        raise SvgError("is not an SVG image (its root element is not <svg>)", path)
    removed: list[str] = []
    _clean(root, removed)
    if b"<?xml-stylesheet" in data.lower():
        removed.append("<?xml-stylesheet?>")  # the parser drops processing instructions
    if not removed:
        return data, removed  # nothing active: the file as its author wrote it
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8"), removed


def _clean(element: ET.Element, removed: list[str]) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):  # a comment or processing instruction
            element.remove(child)
            continue
        name = _local(child.tag)
        if name in _DROP:
            element.remove(child)
            removed.append(f"<{name}>")
            continue
        if name == "style" and _URL_IN_CSS.search(child.text or ""):
            element.remove(child)
            removed.append("<style> with an external reference")
            continue
        _clean(child, removed)
    for attr in list(element.attrib):
        name = _local(attr)
        value = element.attrib[attr]
        if name.startswith("on"):
            removed.append(f"{name}=")
            del element.attrib[attr]
        elif name in ("href", "src") and not value.strip().startswith("#"):
            removed.append(f"{name}={value[:40]!r}")
            del element.attrib[attr]
        elif _URL_IN_CSS.search(value):
            removed.append(f"{name}= with an external reference")
            del element.attrib[attr]
