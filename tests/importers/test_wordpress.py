"""WordPress WXR: statuses, pages, shortcodes, Gutenberg, comments, slugs, aliases, hostile XML."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers import wordpress

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> tuple[dict[str, ImportedPost], list[str]]:
    warnings: list[ImportWarning] = []
    posts = {p.source_id: p for p in wordpress.read(FIXTURES / name, warnings, workers=1)}
    return posts, [str(w) for w in warnings]


@pytest.fixture(scope="module")
def wp() -> tuple[dict[str, ImportedPost], list[str]]:
    return read("wordpress.xml")


def test_statuses_kinds_and_skipped_types(wp: tuple[dict[str, ImportedPost], list[str]]) -> None:
    posts, warnings = wp
    assert {k: (p.status, p.kind) for k, p in posts.items()} == {
        "10": ("published", "post"),
        "11": ("published", "post"),
        "12": ("published", "page"),
        "13": ("draft", "post"),
        "14": ("scheduled", "post"),
        "15": ("draft", "post"),  # private
    }
    assert posts["14"].date == "2099-01-01T10:00:00+00:00"
    assert any("not posts or pages, skipped: 2 attachment, 1 nav_menu_item" in w for w in warnings)
    assert wordpress.estimate(FIXTURES / "wordpress.xml") == 6


def test_dates_authors_tags_and_summary(wp: tuple[dict[str, ImportedPost], list[str]]) -> None:
    rally = wp[0]["10"]
    assert rally.title == "Spring rally & march"
    assert rally.date == "2024-03-16T10:00:00+00:00"
    assert rally.updated == "2024-04-01T08:30:00+00:00"  # post_modified_gmt
    assert rally.author == "Ada Wong"  # display name, not the login
    assert wp[0]["11"].author == "陳大文"
    assert rally.tags == ["Events", "rally"]  # categories + tags; "Uncategorized" dropped
    assert rally.summary == "A short summary."


def test_classic_post_paragraphs_caption_gallery_embed_and_hostile_html(
    wp: tuple[dict[str, ImportedPost], list[str]],
) -> None:
    body = wp[0]["10"].body
    assert body.startswith("We met at noon.\\\nThen we walked.\n\n")  # wpautop: <br>, <p>
    assert (
        "![Umbrellas in the square](https://old.example.org/wp-content/uploads/2024/03/rally.jpg)"
        "\n\n*Umbrellas in the square*"
    ) in body
    assert (
        "![Banner at the station](https://old.example.org/wp-content/uploads/2024/03/banner.png)"
        in body
    )
    assert '<td colspan="2">Merged</td>' in body  # a table Markdown cannot hold
    assert "<https://www.youtube.com/watch?v=abc123>" in body
    assert "alert" not in body and "javascript" not in body and "more" not in body
    assert body.endswith("Last words.\n")
    assert wp[0]["10"].cover == "https://old.example.org/wp-content/uploads/2024/03/rally.jpg"
    assert len(wp[0]["10"].media) == 2


def test_gutenberg_comments_dropped_and_chinese_lines_joined(
    wp: tuple[dict[str, ImportedPost], list[str]],
) -> None:
    post = wp[0]["11"]
    assert post.body == (
        "各位會員：今年的周年大會將於五月舉行。\n\n## 議程\n\n- 會務報告\n- 選舉\n\n"
        "<https://www.youtube.com/watch?v=xyz789>\n"
    )
    assert post.lang == "zh-Hant"
    assert post.slug == "周年大會"  # percent-encoded post_name decoded
    assert post.aliases == ["/2024/05/周年大會/", "/?p=11"]


def test_comments_states_parents_dates_and_no_addresses(
    wp: tuple[dict[str, ImportedPost], list[str]],
) -> None:
    rally, warnings = wp[0]["10"], wp[1]
    assert [(c.source_id, c.status, c.parent_id, c.created) for c in rally.comments] == [
        ("1", "approved", "", "2024-03-16T12:00:00+00:00"),
        ("2", "approved", "1", "2024-03-16T13:00:00+00:00"),
        ("3", "pending", "", "2024-03-17T08:00:00+00:00"),
    ]
    assert rally.skipped_comments == 2  # the spam and the pingback
    assert any("1 pingback/trackback skipped" in w for w in warnings)
    text = repr(rally.comments)
    assert "@" not in text and "203.0.113.5" not in text and "198.51.100.7" not in text


def test_pages_and_aliases(wp: tuple[dict[str, ImportedPost], list[str]]) -> None:
    assert wp[0]["12"].aliases == ["/about/", "/?page_id=12"]
    assert wp[0]["10"].aliases == ["/2024/03/spring-rally/", "/?p=10"]
    assert wp[0]["13"].slug == ""  # a draft without a post_name: the title makes the slug


def test_wordpress_com_quirks() -> None:
    posts, warnings = read("wordpress-com.xml")
    assert list(posts) == ["301"]
    post = posts["301"]
    assert post.slug == "粵語班開課" and post.lang == "zh-Hant"
    assert post.author == "香港人在曼城編輯組"
    assert post.tags == ["課程"]  # 未分類 (Uncategorized) dropped
    assert post.body.startswith("逢星期六上午十時，\\\n歡迎小朋友參加。\n\n")
    assert "<https://www.youtube.com/watch?v=cantonese1>" in post.body
    assert '```python\nprint("早晨 <你好>")\n```' in post.body
    assert "![課室](https://hkmcr.wordpress.com/files/2023/09/class.jpg)" in post.body
    assert post.comments[0].body == "請問要報名嗎？\n謝謝！"
    assert post.skipped_comments == 1  # trash
    assert any("[contact-form]" in w and "[wpvideo]" in w for w in warnings)
    assert any("1 feedback" in w for w in warnings)  # contact-form entries never imported
    assert any("402" in w and "'trash'" in w for w in warnings)


def test_wxr_1_0_namespace_is_read(tmp_path: Path) -> None:
    text = (FIXTURES / "wordpress.xml").read_text().replace("export/1.2/", "export/1.0/")
    (tmp_path / "old.xml").write_text(text)
    posts = list(wordpress.read(tmp_path / "old.xml", [], workers=1))
    assert len(posts) == 6 and posts[0].author == "Ada Wong"


def test_entity_bomb_and_external_entities_are_refused_at_once() -> None:
    with pytest.raises(HkcmsError, match="entity declarations are refused") as bomb:
        list(wordpress.read(FIXTURES / "bomb.xml", []))
    assert str(bomb.value).startswith(f"{FIXTURES / 'bomb.xml'}:3:")
    with pytest.raises(HkcmsError, match="entity") as external:
        list(wordpress.read(FIXTURES / "external.xml", []))
    assert "external.xml:2" in str(external.value)


def test_malformed_xml_names_the_file_and_line_and_imports_nothing(tmp_path: Path) -> None:
    lines = (FIXTURES / "wordpress.xml").read_text().splitlines()
    lines[40] += "<unclosed>"
    (tmp_path / "broken.xml").write_text("\n".join(lines))
    records = wordpress.read(tmp_path / "broken.xml", [])
    with pytest.raises(HkcmsError, match="not well-formed") as exc:
        next(records)  # nothing is yielded before the whole file was checked
    assert exc.value.line is not None and exc.value.line > 40


def test_memory_stays_flat_on_a_large_export(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    comment = "<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_content>{body}</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>"  # noqa: E501
    with path.open("w") as out:
        out.write('<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>')  # fmt: skip
        for i in range(1500):
            comments = "".join(comment.format(n=j, body="評論" * 2000) for j in range(3))
            out.write(f"<item><title>P{i}</title><wp:post_id>{i}</wp:post_id><wp:post_type>post"
                      f"</wp:post_type><wp:status>publish</wp:status><content:encoded>x"
                      f"</content:encoded>{comments}</item>")  # fmt: skip
        out.write("</channel></rss>")
    size = path.stat().st_size
    assert size > 30_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in wordpress.read(path, [], workers=1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 1500
    assert peak < size / 5, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_worker_processes_keep_the_file_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordpress, "PARALLEL_AFTER", 1)
    monkeypatch.setattr(wordpress, "WINDOW", 2)  # several windows in flight
    warnings: list[ImportWarning] = []
    parallel = list(wordpress.read(FIXTURES / "wordpress.xml", warnings, workers=2))
    serial = list(wordpress.read(FIXTURES / "wordpress.xml", [], workers=1))
    assert parallel == serial and len(parallel) == 6
    assert any("pingback" in str(w) for w in warnings)
