"""The templates' environment: `a.b` reads a dict's key first, objects' attributes and dict
methods still work, and a missing name is still an error (StrictUndefined)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import UndefinedError

from hkcms.export.theme import environment


def render(source: str, **context: object) -> str:
    return environment(None).from_string(source).render(context)


def test_dicts_objects_and_dict_methods() -> None:
    assert render("{{ d.title }}", d={"title": "<Hi>"}) == "&lt;Hi&gt;"
    assert render("{{ o.title }}", o=SimpleNamespace(title="obj")) == "obj"
    assert render("{% for k, v in d.items() %}{{ k }}={{ v }}{% endfor %}", d={"a": 1}) == "a=1"
    assert render("{{ d.get('x', 'none') }}", d={}) == "none"


def test_a_missing_key_is_still_an_error() -> None:
    with pytest.raises(UndefinedError):
        render("{{ d.missing }}", d={"title": "x"})
