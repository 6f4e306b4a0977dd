"""Site check: every post parses and every metadata file and revision blob is sound."""

from __future__ import annotations

from hkcms.core.errors import HkcmsError
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.posts import PostStore
from hkcms.core.site import Site


def check_site(site: Site) -> tuple[list[HkcmsError], int]:
    """Return (problems, number of files checked); reads only, never repairs."""
    meta = MetaStore(site)
    problems: list[HkcmsError] = []
    checked = 0
    meta_files = sorted(meta.meta_dir.glob("*.json")) + sorted(meta.posts_meta_dir.glob("*.json"))
    for path in meta_files:
        checked += 1
        try:
            read_json(path)
        except HkcmsError as exc:
            problems.append(exc)
    if problems:
        return problems, checked  # a scan would try to write to broken metadata
    store = PostStore(site, meta)
    scan = store.scan()
    checked += len(scan.posts) + len(scan.problems)
    problems.extend(scan.problems)
    for info in scan.posts:
        for revision in store.history.list(info.slug):
            try:
                store.history.blobs.get(revision.hash)
            except HkcmsError as exc:
                problems.append(exc)
    return problems, checked
