"""render_chunk for tests whose worker process dies (as one the out-of-memory killer ends) or
hangs on its third chunk; a module of its own so the export's worker processes can import it."""

from __future__ import annotations

import os
import time

from hkcms.export.render import PageTask, PostResult, PostTask, render_chunk

_chunks = [0]


def render_chunk_then_die(tasks: list[PostTask | PageTask]) -> list[PostResult | bool]:
    _chunks[0] += 1
    if _chunks[0] == 3:
        os._exit(137)
    return render_chunk(tasks)


def render_chunk_then_hang(tasks: list[PostTask | PageTask]) -> list[PostResult | bool]:
    _chunks[0] += 1
    if _chunks[0] == 3:
        time.sleep(3600)
    return render_chunk(tasks)
