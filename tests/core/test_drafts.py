"""Crash drafts follow a renamed post and are never overwritten or lost."""

from __future__ import annotations

from hkcms.cli import main
from hkcms.core.drafts import DraftStore, move_drafts
from hkcms.core.posts import PostStore


def test_rename_moves_every_persons_draft(store: PostStore) -> None:
    post = store.create("Spring rally")
    ada, bo = DraftStore(store.site, "ada"), DraftStore(store.site, "bo")
    ada.save(post.slug, "---\ntitle: Spring rally\n---\nAda's unsaved words\n")
    bo.save(post.slug, "---\ntitle: Spring rally\n---\nBo's unsaved words\n")
    other = store.create("Other post")
    ada.save(other.slug, "---\ntitle: Other post\n---\nStays put\n")

    store.rename(post.slug, "spring-rally-2026")

    for person, words in ((ada, "Ada's unsaved words"), (bo, "Bo's unsaved words")):
        assert person.load(post.slug) is None  # nothing left behind under the old name
        moved = person.load("spring-rally-2026")
        assert moved is not None and words in moved.text
    kept = ada.load(other.slug)
    assert kept is not None and "Stays put" in kept.text
    assert len(list((store.site.state_dir / "drafts").glob("*.json"))) == 3


def test_cli_rename_moves_the_draft(store: PostStore) -> None:
    post = store.create("Rally")
    DraftStore(store.site, "tester").save(post.slug, "---\ntitle: Rally\n---\nUnsaved\n")
    assert main(["--site", str(store.site.root), "rename", post.slug, "rally-2026"]) == 0
    draft = DraftStore(store.site, "tester").load("rally-2026")
    assert draft is not None and draft.slug == "rally-2026"


def test_a_draft_already_under_the_new_name_is_not_overwritten(store: PostStore) -> None:
    ada = DraftStore(store.site, "ada")
    ada.save("old", "old words")
    ada.save("new", "words of an older post called new")
    assert move_drafts(store.site, "old", "new") == 0
    kept = ada.load("new")
    assert kept is not None and kept.text == "words of an older post called new"
    assert ada.load("old") is not None  # not moved, not lost
