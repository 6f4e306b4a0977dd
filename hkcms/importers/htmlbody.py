"""HTML post bodies (Jekyll .html posts) to Markdown through the shared HTML converter."""

from __future__ import annotations

import importlib

from hkcms.core.import_records import ImportWarning


def html_body(html: str, warnings: list[ImportWarning], where: str) -> str:
    """Markdown for an HTML body; kept as HTML (sanitised on export) without a converter."""
    try:
        module = importlib.import_module("hkcms.importers.html_to_markdown")
    except ImportError:
        warnings.append(
            ImportWarning(where, "HTML body kept as HTML (no HTML converter installed)")
        )
        return html
    convert = getattr(module, "html_to_markdown", None) or getattr(module, "convert", None)
    if convert is None:
        warnings.append(ImportWarning(where, "HTML body kept as HTML (no HTML converter found)"))
        return html
    return str(convert(html))
