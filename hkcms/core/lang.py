"""Language tags (BCP 47): canonical spelling, URL prefixes, and the fallback chain."""

from __future__ import annotations

import re

_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def is_lang_tag(tag: str) -> bool:
    """Whether text looks like a BCP 47 tag (en, zh-Hant, zh-Hant-HK)."""
    return bool(_TAG.match(tag or ""))


def normalise_lang(tag: str, fallback: str = "en") -> str:
    """The tag in its canonical case: language lower, script Title, region upper
    ('ZH-hant-hk' → 'zh-Hant-HK'); the fallback if it is not a tag at all."""
    tag = (tag or "").strip().replace("_", "-")
    if not is_lang_tag(tag):
        return fallback
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def lang_prefix(tag: str) -> str:
    """The URL folder of a language's pages ('zh-Hant' → 'zh-hant/')."""
    return tag.lower() + "/"


def fallbacks(tag: str) -> list[str]:
    """The tag and each shorter tag it falls back to: zh-Hant-HK, zh-Hant, zh."""
    parts = tag.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
