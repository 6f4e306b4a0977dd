"""Which optional parts of hkcms are installed (views statistics, export), checked lazily."""

from __future__ import annotations

import importlib.util


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def has_views() -> bool:
    return _has("hkcms.core.views")


def has_export() -> bool:
    return _has("hkcms.export.build")


def has_publish() -> bool:
    return _has("hkcms.export.publish")
