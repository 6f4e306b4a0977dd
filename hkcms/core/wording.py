"""Counted nouns in English messages: "1 comment", "2 comments", "1,024 views"."""

from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`n` with the noun in the right number; `plural` for irregular nouns (default: + "s")."""
    word = singular if n == 1 else (plural or f"{singular}s")
    return f"{n:,} {word}"
