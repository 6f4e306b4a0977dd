"""The theme's static files: the stylesheet and the favicon."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hkcms.export.plan import Page
from hkcms.export.sources.base import PageSource
from hkcms.export.theme import STATIC_FILES, theme_files

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class StaticSource(PageSource):
    name = "static"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        files = theme_files(ctx.settings.templates_dir)
        for name, rel in STATIC_FILES.items():
            data = files[name].read_bytes()
            yield Page(rel, (hashlib.sha256(data).hexdigest(),), functools.partial(bytes, data))
