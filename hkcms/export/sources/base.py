"""PageSource: the interface of a page source (after Pelican's generators)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hkcms.export.plan import Page, PostPage

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class PageSource:
    """One kind of page. `generate_context` adds what other sources may read (runs for every
    source before any output is generated); `generate_output` yields the pages, each with the
    inputs it shows, so the build derives its key and skips it when they did not change."""

    name = "source"

    def generate_context(self, ctx: BuildContext) -> None:
        """Add shared facts to the build context (default: nothing)."""

    def generate_output(self, ctx: BuildContext) -> Iterable[Page | PostPage]:
        raise NotImplementedError
