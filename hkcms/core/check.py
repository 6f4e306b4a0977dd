"""Site check: every post parses and every metadata file and revision blob is sound."""

from __future__ import annotations

from hkcms.core.atomic import decode_utf8
from hkcms.core.errors import HkcmsError, PostError
from hkcms.core.media import MediaLibrary
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.post import parse_post
from hkcms.core.posts import PostStore
from hkcms.core.repair import find_problems, repair
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
        # A scan would try to record outside edits into the broken metadata; parse posts only.
        return problems + _post_problems(site), checked + len(list(site.posts_dir.glob("*.md")))
    store = PostStore(site, meta)
    scan = store.scan()
    checked += len(scan.posts) + len(scan.problems)
    problems.extend(scan.problems)
    problems.extend(find_problems(meta))
    for info in scan.posts:
        for revision in store.history.list(info.slug):
            try:
                store.history.blobs.get(revision.hash)
            except HkcmsError as exc:
                problems.append(exc)
    # Images: missing alt text, missing or unused files, photos that still hold a location.
    problems.extend(MediaLibrary(site).problems())
    return problems, checked


def repair_site(site: Site) -> list[str]:
    """Reattach or trash orphaned metadata and rebuild summaries (`check --repair`); returns
    what was done. Refuses (MetadataError) while a metadata file cannot be parsed."""
    meta = MetaStore(site)
    for path in sorted(meta.meta_dir.glob("*.json")) + sorted(meta.posts_meta_dir.glob("*.json")):
        read_json(path)
    store = PostStore(site, meta)
    store.scan()  # records outside edits first, so that they are part of the history
    return repair(store)


def _post_problems(site: Site) -> list[HkcmsError]:
    """Problems of the post files alone, without touching metadata."""
    store = PostStore(site)
    problems: list[HkcmsError] = []
    for path in sorted(site.posts_dir.glob("*.md")):
        try:
            data = store.read_bytes(path.stem)
            parse_post(decode_utf8(data, path), path.stem, path)
        except HkcmsError as exc:
            problems.append(exc if exc.path else PostError(exc.message, path))
    return problems
