"""Bot detection from the maintained crawler-user-agents list, plus the browser rule."""

from __future__ import annotations

import re

import pytest
from crawleruseragents import CRAWLER_USER_AGENTS_DATA

from hkcms.core.bots import bot_regex, compile_patterns, is_bot
from tests.views.logs import CHROME, FIREFOX, SAFARI


def test_every_example_of_the_list_is_a_bot() -> None:
    examples = [i for entry in CRAWLER_USER_AGENTS_DATA for i in entry.get("instances", [])]
    assert len(examples) > 1000
    missed = [ua for ua in examples if not is_bot(ua)]
    assert missed == []


def test_the_compiled_trie_agrees_with_each_pattern_alone() -> None:
    patterns = [str(e["pattern"]) for e in CRAWLER_USER_AGENTS_DATA]
    examples = [i for e in CRAWLER_USER_AGENTS_DATA for i in e.get("instances", [])]
    examples += [CHROME, FIREFOX, SAFARI, "Mozilla/5.0 (Windows NT 10.0) Gecko Firefox/1.0"]
    singles = [re.compile(p) for p in patterns]
    combined = bot_regex()
    for ua in examples:
        assert (combined.search(ua) is not None) == any(r.search(ua) for r in singles), ua


def test_compiled_once() -> None:
    assert bot_regex() is bot_regex()


@pytest.mark.parametrize(
    ("patterns", "ua", "hit"),
    [
        (["Googlebot\\/"], "x Googlebot/2.1", True),
        (["Googlebot\\/"], "x Googlebot 2.1", False),
        (["bot", "bottle"], "a bottle", True),
        (["^curl"], "curl/8", True),
        (["^curl"], "x curl/8", False),
        ([], "anything", False),
    ],
)
def test_compile_patterns(patterns: list[str], ua: str, hit: bool) -> None:
    assert (compile_patterns(patterns).search(ua) is not None) == hit


@pytest.mark.parametrize("ua", [CHROME, FIREFOX, SAFARI])
def test_browsers_are_readers(ua: str) -> None:
    assert not is_bot(ua)
    assert is_bot(ua, extra_tokens=["safari", "firefox", "chrome"])


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "-",
        "MyCompanyChecker/1.0",  # does not call itself a browser
        "Mozilla/5.0 (compatible; NewThing/1.0; +https://example.org/about-our-bot)",
        "Mozilla/5.0 (compatible; Fetcher; ops@example.org)",
    ],
)
def test_rules_beyond_the_list(ua: str) -> None:
    assert is_bot(ua)
