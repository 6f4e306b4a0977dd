"""Wix from saved API answers: bylines, tags, views, dates, old URLs, comments, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers import wix


def read_all(folder: Path) -> tuple[dict[str, ImportedPost], list[ImportWarning]]:
    warnings: list[ImportWarning] = []
    posts = {p.source_id.split("-")[1]: p for p in wix.read(folder, warnings)}
    return posts, warnings


def test_both_pages_of_saved_posts_are_read_in_order(wix_dir: Path) -> None:
    warnings: list[ImportWarning] = []
    ids = [p.source_id[:9] for p in wix.read(wix_dir, warnings)]
    assert ids == ["post-0001", "post-0002", "post-0003", "post-0004"]
    assert any("no id" in w.message and "posts.json: post 3" in w.where for w in warnings)


def test_post_fields_carry_over(wix_dir: Path) -> None:
    posts, _ = read_all(wix_dir)
    first = posts["0001"]
    assert first.source == "wix" and first.title == "Every Ricos node"
    assert first.author == "Ada Wong"
    assert first.tags == ["Events", "vigil", "hongkong"]
    assert first.views == 130  # "130 views" carries over
    assert first.date == "2021-01-04T12:30:00+00:00"
    assert first.updated == "2021-01-05T09:00:00+00:00"
    assert first.summary == "SEO description"
    assert first.cover == "https://static.wixstatic.com/media/8bb438_cover~mv2.jpg"
    assert first.cover in first.media
    assert first.aliases == ["/post/all-nodes"]


def test_chinese_slug_is_decoded_and_language_mapped(wix_dir: Path) -> None:
    posts, _ = read_all(wix_dir)
    zh = posts["0002"]
    assert zh.slug == "燭光晚會"
    assert zh.aliases == ["/post/燭光晚會"]
    assert zh.author == "陳寶" and zh.tags == ["中文"] and zh.lang == "zh-Hant" and zh.views == 987


def test_comments_keep_date_status_and_reply_but_no_email(wix_dir: Path) -> None:
    posts, _ = read_all(wix_dir)
    comments = posts["0001"].comments
    assert [(c.source_id, c.status, c.created) for c in comments] == [
        ("cm-1", "approved", "2021-01-05T10:00:00+00:00"),  # commentDate, not createdDate
        ("cm-2", "pending", "2021-01-06T11:00:00+00:00"),
    ]  # cm-3 was deleted on Wix
    assert comments[0].author == "陳寶" and comments[1].author == "Guest"
    assert comments[1].parent_id == "cm-1"
    assert posts["0002"].comments[0].status == "hidden"
    everything = repr(list(posts.values()))
    assert "private.example" not in everything and "loginEmail" not in everything


def test_post_without_rich_content_falls_back_to_text_with_a_warning(wix_dir: Path) -> None:
    posts, warnings = read_all(wix_dir)
    plain = posts["0003"]
    assert plain.body == "First line.\n\nSecond line with \\*stars\\*.\n"
    assert plain.author == "" and plain.views == 0
    assert any("RICH_CONTENT" in w.message for w in warnings)
    assert any("member-gone" in w.message for w in warnings)


def test_traversal_in_a_slug_is_refused(wix_dir: Path) -> None:
    posts, warnings = read_all(wix_dir)
    hostile = posts["0004"]
    assert hostile.slug == "" and hostile.aliases == []
    assert any("slug is unsafe" in w.message for w in warnings)


def test_malformed_json_names_the_file_and_line(tmp_path: Path, wix_dir: Path) -> None:
    (tmp_path / "posts.json").write_text('{"posts": [\n  {"id": "a",}\n]}\n', encoding="utf-8")
    with pytest.raises(HkcmsError) as info:
        list(wix.read(tmp_path, []))
    assert "posts.json:2" in str(info.value) and "not valid JSON" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_folder_without_posts_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HkcmsError, match="no posts"):
        list(wix.read(tmp_path, []))
    with pytest.raises(HkcmsError, match="not a folder"):
        list(wix.read(tmp_path / "missing", []))


def test_wrong_shape_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "posts.json").write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(HkcmsError, match=r"posts.json:1: is not a saved Wix answer"):
        list(wix.read(tmp_path, []))


def test_bad_records_are_skipped_and_the_rest_imported(tmp_path: Path) -> None:
    good = {"id": "good", "title": "Good", "richContent": {"nodes": []}}
    records = [None, "x", {"id": 5}, {"id": "notitle"}, good, {"id": "dup", "title": "D"}]
    records.append({"id": "dup", "title": "D again"})
    (tmp_path / "posts.json").write_text(json.dumps({"posts": records}), encoding="utf-8")
    warnings: list[ImportWarning] = []
    posts = list(wix.read(tmp_path, warnings))
    assert [p.source_id for p in posts] == ["good", "dup"]
    assert len(warnings) >= 5
