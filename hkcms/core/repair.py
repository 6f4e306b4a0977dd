"""Derived metadata kept honest: summaries rebuilt from per-post files, metadata whose post file
went away (a `mv` or `git mv` outside hkcms) reattached to the post it became, or trashed."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hkcms.core.atomic import TMP_PREFIX
from hkcms.core.errors import HkcmsError, MetadataError
from hkcms.core.history import EXTERNAL_EDITOR
from hkcms.core.meta import MetaStore, MetaTxn, backup_of, json_bytes
from hkcms.core.slugs import validate_slug

if TYPE_CHECKING:
    from hkcms.core.posts import PostStore

SIMILAR = 0.5  # like git's rename detection: half the text in common is the same post
REPAIR_HINT = "`hkcms check --repair` fixes it"


@dataclass(frozen=True)
class Drift:
    """A summary field that differs from what the post's own metadata says."""

    field: str
    summary: Any
    derived: Any


def derived_summary(data: dict[str, Any]) -> dict[str, Any]:
    """The summary fields a post's metadata file implies (revisions, comments, views)."""
    out: dict[str, Any] = {}
    revisions = sorted(data.get("revisions", {}).values(), key=lambda r: int(r["rev"]))
    if revisions:
        last = revisions[-1]
        out.update(
            updated=last["time"], revisions=int(last["rev"]), hash=last["hash"], size=last["size"]
        )
    states = Counter(str(c.get("status")) for c in data.get("comments", {}).values())
    out.update(
        comments=states["approved"],
        comments_pending=states["pending"],
        comments_total=sum(states.values()),
    )
    days = data.get("views", {}).values()
    baseline = int(data.get("views_baseline", {}).get("1", {}).get("views", 0))
    out["views"] = baseline + sum(int(d["views"]) for d in days)
    out["views_last_day"] = max((str(d["date"]) for d in days), default="")
    return out


def drift(summary: dict[str, Any], data: dict[str, Any]) -> list[Drift]:
    """Fields of `summary` that disagree with the metadata (absent counts as zero)."""
    found = []
    for key, value in derived_summary(data).items():
        if key == "updated" and summary.get(key):
            continue  # an imported post shows its old site's last edit, not the import's time
        have = summary.get(key, "" if isinstance(value, str) else 0)
        if have != value:
            found.append(Drift(key, have, value))
    return found


def orphans(meta: MetaStore) -> list[str]:
    """Slugs whose metadata file exists but whose post file does not."""
    if not meta.posts_meta_dir.is_dir():
        return []
    out = []
    for path in sorted(meta.posts_meta_dir.glob("*.json")):
        slug = path.name[:-5]
        if slug.startswith(TMP_PREFIX) or path.name.endswith(".bak"):
            continue
        post = meta.site.post_path(slug)
        if not post.exists() and not post.is_symlink():
            out.append(slug)
    return out


def find_problems(meta: MetaStore) -> list[HkcmsError]:
    """Orphaned metadata, summaries that drifted, unfinished changes; reads only."""
    problems: list[HkcmsError] = []
    for entry in meta.journal.pending():
        problems.append(
            MetadataError(
                "an unfinished change is waiting; the next write finishes it",
                meta.journal.entry_path(entry),
            )
        )
    lost = set(orphans(meta))
    for slug in sorted(lost):
        problems.append(
            MetadataError(
                f"history, comments and views of a post whose file posts/{slug}.md is gone; "
                f"{REPAIR_HINT} (reattaches it to the post it became, or moves it to the trash)",
                meta.post_file(slug),
            )
        )
    summaries = meta.summaries()
    for slug, summary in sorted(summaries.items()):
        data = meta.read_post(slug)
        if data is None:
            if not meta.site.post_path(slug).exists():
                problems.append(
                    MetadataError(
                        f"a summary for {slug!r}, which has no post and no metadata; {REPAIR_HINT}",
                        meta.meta_dir,
                    )
                )
            continue
        changes = drift(summary, data)
        if changes:
            shown = ", ".join(f"{d.field} {d.summary!r} ≠ {d.derived!r}" for d in changes[:4])
            problems.append(
                MetadataError(
                    f"the post summary differs from its metadata ({shown}); {REPAIR_HINT}",
                    meta.post_file(slug),
                )
            )
    for path in sorted(meta.posts_meta_dir.glob("*.json")) if meta.posts_meta_dir.is_dir() else []:
        slug = path.name[:-5]
        if slug not in summaries and slug not in lost:
            problems.append(MetadataError(f"metadata without a post summary; {REPAIR_HINT}", path))
    return problems


def rebuild_summary(txn: MetaTxn, slug: str) -> bool:
    """Make the summary of `slug` what its metadata says; True if it changed."""
    data = txn.read_json(txn.store.post_file(slug))
    summary = txn.get_summary(slug)
    if data is None:
        if summary:
            txn.delete_summary(slug)
            return True
        return False
    if summary and not drift(summary, data):
        return False
    fields = derived_summary(data)
    if summary.get("updated") and summary.get("hash") == fields.get("hash"):
        del fields["updated"]  # kept: it may be an imported post's date of last edit
    txn.update_summary(slug, **fields)
    return True


def merge_into(txn: MetaTxn, orphan: str, slug: str) -> None:
    """Reattach the metadata of `orphan` to the post `slug`: the orphan's history first, then
    the revisions recorded since under the new name; comments and views of both."""
    meta = txn.store
    old_file, new_file = meta.post_file(orphan), meta.post_file(slug)
    old = txn.read_json(old_file) or {}
    new = txn.read_json(new_file) or {}
    merged: dict[str, Any] = {k: dict(v) for k, v in old.items() if isinstance(v, dict)}
    revisions = sorted(old.get("revisions", {}).values(), key=lambda r: int(r["rev"]))
    for revision in sorted(new.get("revisions", {}).values(), key=lambda r: int(r["rev"])):
        if revisions and revisions[-1]["hash"] == revision["hash"]:
            continue  # the "first seen" revision of the same text: already the newest
        revisions.append(dict(revision))
    for number, revision in enumerate(revisions, 1):
        revision["rev"] = number
    merged["revisions"] = {str(i): r for i, r in enumerate(revisions, 1)}
    comments = [*old.get("comments", {}).values(), *new.get("comments", {}).values()]
    merged["comments"] = {str(i): dict(c) | {"post": slug} for i, c in enumerate(comments, 1)}
    deleted = [*old.get("comments_deleted", {}).values(), *new.get("comments_deleted", {}).values()]
    merged["comments_deleted"] = {str(i): d for i, d in enumerate(deleted, 1)}
    days: Counter[str] = Counter()
    for doc in [*old.get("views", {}).values(), *new.get("views", {}).values()]:
        days[str(doc["date"])] += int(doc["views"])
    merged["views"] = {
        str(i): {"date": d, "views": n} for i, (d, n) in enumerate(sorted(days.items()), 1)
    }
    if "views_baseline" in new and "views_baseline" not in old:
        merged["views_baseline"] = new["views_baseline"]
    txn.forget(new_file)
    txn.put(new_file, json_bytes(merged))
    txn.delete(old_file)
    txn.delete(backup_of(old_file))
    txn.delete_summary(orphan)
    txn.update_summary(slug, **derived_summary(merged))


def newly_seen(data: dict[str, Any] | None) -> bool:
    """Metadata that only knows the post from outside edits (a file that appeared)."""
    if not data:
        return True
    revisions = data.get("revisions", {}).values()
    return not data.get("comments") and all(r.get("editor") == EXTERNAL_EDITOR for r in revisions)


def repair(store: PostStore) -> list[str]:
    """Reattach or trash orphaned metadata, then rebuild every summary; what was done."""
    meta = store.meta
    done: list[str] = []
    with meta.transaction() as txn:
        lost = [s for s in orphans(meta) if _valid(s)]
        if lost:
            candidates: dict[str, bytes] = {}
            for path in meta.site.posts_dir.glob("*.md"):
                slug = path.name[:-3]
                if _valid(slug) and newly_seen(txn.read_json(meta.post_file(slug))):
                    try:
                        candidates[slug] = store.read_bytes(slug)
                    except HkcmsError:
                        continue
            for slug in lost:
                target = _best_match(store, txn, slug, candidates)
                if target is not None:
                    merge_into(txn, slug, target)
                    candidates.pop(target)
                    done.append(f"reattached the history of {slug} to {target}")
                else:
                    entry = store.trash_orphan(txn, slug)
                    done.append(f"moved the metadata of {slug} to the trash ({entry.id})")
        slugs = set(meta.summaries()) | {p.name[:-5] for p in meta.posts_meta_dir.glob("*.json")}
        for slug in sorted(s for s in slugs if _valid(s)):
            if rebuild_summary(txn, slug):
                done.append(f"rebuilt the summary of {slug}")
    return done


def _best_match(
    store: PostStore, txn: MetaTxn, orphan: str, candidates: dict[str, bytes]
) -> str | None:
    data = txn.read_json(store.meta.post_file(orphan)) or {}
    revisions = sorted(data.get("revisions", {}).values(), key=lambda r: int(r["rev"]))
    if not revisions:
        return None
    try:
        text = store.history.blobs.get(str(revisions[-1]["hash"]))
    except HkcmsError:
        return None
    best, score = None, SIMILAR
    for slug, other in candidates.items():
        matcher = difflib.SequenceMatcher(None, text, other, autojunk=False)
        if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
            continue
        ratio = matcher.ratio()
        if ratio >= score:
            best, score = slug, ratio
    return best


def _valid(slug: str) -> bool:
    try:
        validate_slug(slug)
    except HkcmsError:
        return False
    return True
