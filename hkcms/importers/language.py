"""The language of an imported post, from its text and the old site's declared language."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def guess_lang(sample: str, declared: str) -> str:
    """zh-Hant for a post mostly in Chinese, else the declared language (short form).

    One blog often declares a single language for posts in two, so the text decides."""
    letters = [c for c in sample if c.isalpha()]
    chinese = sum(1 for c in letters if _CJK.match(c))
    code = declared.strip().lower()
    if letters and chinese * 3 >= len(letters):
        return "zh-Hans" if code in ("zh-cn", "zh-sg", "zh-hans") else "zh-Hant"
    if code.startswith("zh"):
        return "en" if letters and not chinese else "zh-Hant"
    return code.split("-")[0] if code else ""
