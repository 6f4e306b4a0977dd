"""Language tags: canonical case, prefixes and fallbacks."""

from __future__ import annotations

import random
import string

from hkcms.core.lang import fallbacks, is_lang_tag, lang_prefix, normalise_lang


def test_canonical_case() -> None:
    assert normalise_lang("ZH-hant-hk") == "zh-Hant-HK"
    assert normalise_lang("en_gb") == "en-GB"
    assert normalise_lang("es-419") == "es-419"
    assert normalise_lang("") == "en" and normalise_lang("../x", "zh-Hant") == "zh-Hant"
    assert lang_prefix("zh-Hant") == "zh-hant/"
    assert fallbacks("zh-Hant-HK") == ["zh-Hant-HK", "zh-Hant", "zh"]


def test_normalised_tags_are_tags_and_stable() -> None:
    # A property over random text (Hypothesis is MPL-licensed, so plain random, seeded).
    rng = random.Random(9)
    alphabet = string.ascii_letters + string.digits + "-_./ 中\x00"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        tag = normalise_lang(text)
        assert is_lang_tag(tag)
        assert normalise_lang(tag) == tag
        assert "/" not in lang_prefix(tag)[:-1] and ".." not in tag
