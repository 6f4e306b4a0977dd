"""The shape of metadata files: tables of documents whose known fields have the right types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hkcms.core.errors import MetadataError

# Known fields by table. A field of another type ("views": "lots" after a hand edit) would raise
# deep inside a count or a sort; it is reported here, naming the file, before anything uses it.
# Unknown tables and fields are allowed (newer features add them); documents must be objects.
FIELDS: dict[str, dict[str, type]] = {
    "posts": {  # summary-NN.json: the totals the posts list needs
        "slug": str,
        "hash": str,
        "updated": str,
        "views_last_day": str,
        "revisions": int,
        "size": int,
        "views": int,
        "comments": int,
        "comments_pending": int,
        "comments_total": int,
        "import_source": str,  # set by `hkcms import`: the source, its id and the file it wrote
        "import_id": str,
        "import_hash": str,
    },
    "revisions": {"rev": int, "size": int, "time": str, "hash": str, "editor": str, "note": str},
    "comments": {
        "id": str,
        "post": str,
        "author": str,
        "body": str,
        "created": str,
        "status": str,
        "email": str,
        "source": str,
        "parent": str,
    },
    "views": {"date": str, "views": int},
    "views_baseline": {"views": int, "set": str},
    "log_imports": {"fp": str, "path": str, "offset": int, "lines": int},
    "schema": {"version": int},
}
_KIND = {int: "a whole number", str: "text"}


def check_tables(data: dict[str, Any], path: Path) -> None:
    """Raise MetadataError naming the file, table and field of the first value of a wrong type."""
    for name, table in data.items():
        if not isinstance(table, dict):
            raise _error(path, f"table {name!r} must be a JSON object")
        fields = FIELDS.get(name, {})
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit() and len(doc_id) < 19):
                raise _error(
                    path, f"table {name!r} has a document id {doc_id[:20]!r}, not a number"
                )
            if not isinstance(doc, dict):
                raise _error(path, f"document {doc_id} of table {name!r} must be a JSON object")
            for field, kind in fields.items():
                if field not in doc:
                    continue  # missing fields take their defaults
                value = doc[field]
                if isinstance(value, bool) or not isinstance(value, kind):
                    shown = repr(value)
                    shown = shown if len(shown) <= 30 else shown[:29] + "…"
                    raise _error(
                        path,
                        f"field {field!r} of document {doc_id} in table {name!r} must be "
                        f"{_KIND.get(kind, kind.__name__)}, not {shown}",
                    )


def _error(path: Path, problem: str) -> MetadataError:
    backup = path.with_name(path.name + ".bak")
    hint = f"compare it with the last good copy {backup}" if backup.exists() else "fix it by hand"
    return MetadataError(f"metadata {problem}; it was left untouched, {hint}", path)
