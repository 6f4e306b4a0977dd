"""The no-op shortcut (hkcms/export/memo.py): an export with nothing changed is answered from
the memo of the last clean export, and anything an export reads voids it, so the next export
rewrites exactly what a fresh export would."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import hkcms.export.build as build_module
import hkcms.export.context as context_module
import hkcms.export.memo as memo_module
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.stamps import posts_stamps
from hkcms.export.build import export_site
from hkcms.export.memo import memo_path
from hkcms.export.render import PostResult
from hkcms.export.report import ExportReport
from hkcms.export.theme import TEMPLATES_DIR
from tests.export.conftest import prepare_bilingual, prepare_fixture, tree


def replayed(report: ExportReport) -> bool:
    """Whether the export was answered by the memo (it then ran no other stage)."""
    return list(report.phases) == ["memo"]


def fresh(site: Site, tmp_path: Path) -> dict[str, bytes]:
    export_site(site, tmp_path / "fresh", full=True)
    return tree(tmp_path / "fresh")


def test_an_export_with_nothing_changed_is_answered_by_the_memo(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    before = tree(out)

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the memo answers without scanning the posts")

    monkeypatch.setattr(PostStore, "scan", no_scan)
    report = export_site(fixture_site, out)
    assert replayed(report)
    assert tree(out) == before
    monkeypatch.undo()
    # The same report as the export without its memo would give (warnings included).
    memo_path(fixture_site, out).unlink()
    slow = export_site(fixture_site, out)
    assert not replayed(slow)
    assert (report.written, report.skipped, report.removed, report.posts, report.warnings) == (
        slow.written, slow.skipped, slow.removed, slow.posts, slow.warnings
    )  # fmt: skip
    assert report.warnings  # the fixture has no base_url problem but a missing image
    assert report.summary().split(" in ")[0] == slow.summary().split(" in ")[0]


def test_the_memo_of_an_export_that_wrote_pages_answers_the_next(
    fixture_site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    edit_body(fixture_site)
    written = export_site(fixture_site, out)
    assert written.written > 0 and not replayed(written)
    again = export_site(fixture_site, out)
    assert replayed(again) and again.written == 0
    assert again.skipped == written.written + written.skipped


# ---- every input voids the memo -----------------------------------------------------------


def edit_body(site: Site) -> Site:
    store = PostStore(site)
    post = store.load("second-post")
    post.body += "\nA new closing line.\n"
    store.save(post)
    return site


def edit_outside(site: Site) -> Site:
    """An edit in an editor: the file only (the scan records its revision)."""
    path = site.posts_dir / "first-post.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited in vim.\n", encoding="utf-8")
    return site


def new_post(site: Site) -> Site:
    PostStore(site).create("A brand new post", body="Hello.\n")
    return site


def deleted_post(site: Site) -> Site:
    (site.posts_dir / "second-post.md").unlink()
    return site


def views(site: Site) -> Site:
    with MetaStore(site).transaction() as txn:
        txn.update_summary("中文文章", views=3457)
    return site


def comment_text(site: Site) -> Site:
    """An approved comment edited in place: its post's metadata file changes, no summary."""
    meta = MetaStore(site)
    with meta.transaction() as txn:
        table = txn.post_db("first-post").table("comments")
        shown = [d for d in table.all() if d["status"] == "approved"]
        table.update({"body": "Edited comment."}, doc_ids=[shown[0].doc_id])
    return site


def approved(site: Site) -> Site:
    comments = CommentStore(MetaStore(site))
    waiting = comments.list(post="first-post", status="pending")[0]
    comments.set_status([waiting.id], "approved")
    return site


def template(site: Site) -> Site:
    folder = site.root / "templates"
    folder.mkdir()
    text = (TEMPLATES_DIR / "_entry.html").read_text().replace('class="meta"', 'class="meta x"')
    (folder / "_entry.html").write_text(text)
    return site


def strings_file(site: Site) -> Site:
    folder = site.root / "strings"
    folder.mkdir()
    (folder / "en.toml").write_text('subscribe = "Follow us"\n', encoding="utf-8")
    return site


def setting(site: Site) -> Site:
    path = site.root / "hkcms.toml"
    path.write_text(path.read_text().replace("posts_per_page = 2", "posts_per_page = 3"))
    return Site.open(site.root)


def new_image(site: Site) -> Site:
    shutil.copy(site.media_dir / "photo.svg", site.media_dir / "copy.svg")
    return site


def changed_image(site: Site) -> Site:
    path = site.media_dir / "photo.svg"
    path.write_text(path.read_text().replace("</svg>", "<rect/></svg>"))
    return site


def deleted_page(site: Site) -> Site:
    (site.root / "out" / "posts" / "first-post" / "index.html").unlink()
    return site


def deleted_list(site: Site) -> Site:
    (site.root / "out" / "tags" / "events" / "index.html").unlink()
    return site


def deleted_media(site: Site) -> Site:
    (site.root / "out" / "media" / "photo.svg").unlink()
    return site


CHANGES: dict[str, Callable[[Site], Site]] = {
    "post saved": edit_body,
    "post edited outside hkcms": edit_outside,
    "post added": new_post,
    "post deleted": deleted_post,
    "view count": views,
    "comment text": comment_text,
    "comment approved": approved,
    "theme file": template,
    "strings file": strings_file,
    "setting": setting,
    "image added": new_image,
    "image changed": changed_image,
    "post page deleted": deleted_page,
    "tag page deleted": deleted_list,
    "published image deleted": deleted_media,
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_voids_the_memo_and_rewrites_what_shows_it(name: str, tmp_path: Path) -> None:
    site = prepare_fixture(tmp_path / "site")
    out = site.root / "out"  # inside the site: a test change can delete its files
    export_site(site, out)
    assert replayed(export_site(site, out))
    site = CHANGES[name](site)
    report = export_site(site, out)
    assert not replayed(report)
    assert report.written + report.removed > 0
    assert tree(out) == fresh(site, tmp_path)
    assert replayed(export_site(site, out))  # and the memo of this export answers the next


def test_a_scheduled_post_is_published_on_its_day(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    assert not (out / "posts" / "future-post").exists()
    assert replayed(export_site(fixture_site, out))
    for module in (context_module, memo_module):  # the day comes
        monkeypatch.setattr(module, "today_in", lambda zone: dt.date(2099, 1, 1))
    report = export_site(fixture_site, out)
    assert not replayed(report)
    assert (out / "posts" / "future-post" / "index.html").is_file()
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_a_new_version_of_hkcms_voids_the_memo(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    monkeypatch.setattr(memo_module, "program_stamp", lambda: "another version")
    assert not replayed(export_site(fixture_site, out))


def test_the_program_stamp_changes_with_any_file_of_hkcms_or_a_renderer(tmp_path: Path) -> None:
    package = tmp_path / "hkcms"
    (package / "export" / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "1"\n')
    (package / "export" / "templates" / "post.html").write_text("<p>{{ body }}</p>\n")
    renderers = ("markdown_it", "not_installed_here")
    first = memo_module.code_stamp(package, renderers)
    assert memo_module.code_stamp(package, renderers) == first
    (package / "export" / "templates" / "post.html").write_text("<div>{{ body }}</div>\n")
    second = memo_module.code_stamp(package, renderers)
    assert second != first
    assert memo_module.code_stamp(package, ("markdown_it", "jinja2")) != second
    assert "markdown_it" in memo_module.RENDERERS and "jinja2" in memo_module.RENDERERS


def test_a_change_left_half_done_in_the_metadata_voids_the_memo(
    fixture_site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    journal = MetaStore(fixture_site).journal.folder
    journal.mkdir(parents=True, exist_ok=True)
    assert memo_module.replay(fixture_site, out, settings_of(fixture_site)) is not None
    (journal / "left-by-a-killed-writer.tmp").write_bytes(b"")
    assert memo_module.replay(fixture_site, out, settings_of(fixture_site)) is None


def settings_of(site: Site):  # type: ignore[no-untyped-def]
    from hkcms.export.settings import ExportSettings

    return ExportSettings.of(site)


def test_an_interrupted_export_leaves_no_memo(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export killed after writing some pages: the next one must not trust the old memo."""
    out = tmp_path / "out"
    export_site(fixture_site, out)
    edit_body(fixture_site)

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("hkcms.export.build._Build.render", killed)
    with pytest.raises(KeyboardInterrupt):
        export_site(fixture_site, out)
    monkeypatch.undo()
    assert not memo_path(fixture_site, out).exists()
    assert not replayed(export_site(fixture_site, out))
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_a_post_that_is_a_link_is_looked_at_by_every_export(
    fixture_site: Site, tmp_path: Path
) -> None:
    """A link's stamp does not change with its target: no memo while a post is a link (the
    scan refuses it, and says so at every export)."""
    target = fixture_site.posts_dir / "second-post.md"
    real = fixture_site.posts_dir / ".second-post.real"
    os.rename(target, real)
    os.symlink(real.name, target)
    assert posts_stamps(str(fixture_site.posts_dir)) is None
    out = tmp_path / "out"
    export_site(fixture_site, out)
    again = export_site(fixture_site, out)
    assert not replayed(again)
    assert any("symbolic link" in w for w in again.warnings)
    target.unlink()
    os.rename(real, target)
    export_site(fixture_site, out)
    assert (out / "posts" / "second-post" / "index.html").is_file()
    assert replayed(export_site(fixture_site, out))


def test_an_alias_refused_for_a_file_hkcms_did_not_write_is_tried_again(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    out = tmp_path / "out"
    (out / "support").mkdir(parents=True)
    (out / "support" / "index.html").write_text("someone else's page")
    (out / ".hkcms-export.json").write_text("{}")  # a damaged manifest: an export folder
    first = export_site(site, out)
    assert any("would replace a file hkcms did not write" in w for w in first.warnings)
    assert not replayed(export_site(site, out))
    (out / "support" / "index.html").unlink()
    export_site(site, out)
    assert b"donate" in (out / "support" / "index.html").read_bytes()


def test_a_preview_and_the_public_export_keep_their_own_memos(
    fixture_site: Site, tmp_path: Path
) -> None:
    public, preview = tmp_path / "public", tmp_path / "preview"
    export_site(fixture_site, public)
    export_site(fixture_site, preview, drafts=True)
    assert replayed(export_site(fixture_site, public))
    assert replayed(export_site(fixture_site, preview, drafts=True))
    assert (preview / "posts" / "draft-notes" / "index.html").is_file()
    assert not (public / "posts" / "draft-notes").exists()
    assert not replayed(export_site(fixture_site, public, base_url="https://example.net/"))


def test_a_full_export_never_replays(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    assert not replayed(export_site(fixture_site, out, full=True))


def test_a_broken_memo_is_ignored(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    memo_path(fixture_site, out).write_bytes(b"{not json")
    assert not replayed(export_site(fixture_site, out))
    assert replayed(export_site(fixture_site, out))


def tamper_with_first_post(monkeypatch: pytest.MonkeyPatch, **fields: str) -> None:
    """The workers' result for first-post comes back with these fields changed."""
    real = build_module.render_chunk

    def tampered(tasks: list) -> list:  # type: ignore[type-arg]
        results = real(tasks)
        for result in results:
            if isinstance(result, PostResult) and result.slug == "first-post":
                for name, value in fields.items():
                    setattr(result, name, value)
        return results

    monkeypatch.setattr(build_module, "render_chunk", tampered)


def test_a_post_that_cannot_be_rendered_is_tried_again_by_every_export(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page left out while rendering is no page of the memo: the next export tries (and
    warns) again, as it would without the memo."""
    tamper_with_first_post(monkeypatch, error="first-post.md: cannot be rendered")
    out = tmp_path / "out"
    first = export_site(fixture_site, out)
    assert "left out: first-post.md: cannot be rendered" in first.warnings
    again = export_site(fixture_site, out)
    assert not replayed(again)
    assert "left out: first-post.md: cannot be rendered" in again.warnings


def test_a_post_changed_while_it_was_rendered_is_looked_at_again(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tamper_with_first_post(monkeypatch, hash="another text")
    out = tmp_path / "out"
    export_site(fixture_site, out)
    monkeypatch.undo()
    assert not replayed(export_site(fixture_site, out))
    assert replayed(export_site(fixture_site, out))


def test_an_export_with_nothing_changed_loads_no_renderer(
    fixture_site: Site, tmp_path: Path
) -> None:
    """Start-up: `hkcms export` with nothing to do imports neither Markdown, Jinja2, Pillow
    nor the build (what the memo needs is light)."""
    out = tmp_path / "out"
    export_site(fixture_site, out)
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(sys.modules), file=sys.__stderr__))\n"
        "from hkcms.cli import main\n"
        "raise SystemExit(main())\n"
    )
    args = ["--site", str(fixture_site.root), "export", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "0 files written" in done.stdout
    modules = set(eval(done.stderr.strip().splitlines()[-1]))  # a list literal
    heavy = {"markdown_it", "jinja2", "PIL", "filelock", "tinydb", "yaml", "hkcms.export.build"}
    assert modules & heavy == set()


def test_an_export_leaves_the_cycle_collector_as_it_found_it(
    fixture_site: Site, tmp_path: Path
) -> None:
    """The collector is paused while an export runs (speed), never left paused after it."""
    import gc

    assert gc.isenabled()
    export_site(fixture_site, tmp_path / "out")
    assert gc.isenabled()
    export_site(fixture_site, tmp_path / "out")  # answered by the memo
    assert gc.isenabled()
    with pytest.raises(HkcmsError):
        export_site(fixture_site, fixture_site.root / "posts")  # a folder it refuses
    assert gc.isenabled()
    gc.disable()
    try:
        export_site(fixture_site, tmp_path / "out", full=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
