"""hkcms.toml is read once into typed settings; one reading, one error policy per key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hkcms.core.errors import SiteError
from hkcms.core.site import Site, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hkcms.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_timezones_are_parsed_once_into_zones(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, 'timezone = "Asia/Hong_Kong"\n[views]\ntimezone = "UTC"\n')
    )
    assert settings.zone.utcoffset(dt.datetime(2024, 1, 1)) == dt.timedelta(hours=8)
    assert settings.views_timezone == "UTC"
    assert settings.views_zone.utcoffset(dt.datetime(2024, 1, 1)) == dt.timedelta(0)
    # Without [views] timezone the views use the site's.
    assert (
        load_settings(write(tmp_path, 'timezone = "Asia/Tokyo"\n')).views_timezone == "Asia/Tokyo"
    )


@pytest.mark.parametrize(
    "text", ['timezone = "Mars/Olympus"\n', 'timezone = "UTC"\n[views]\ntimezone = "../etc"\n']
)
def test_an_unknown_timezone_is_an_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SiteError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value) and "unknown timezone" in str(caught.value)


@pytest.mark.parametrize("value", ['"many"', "0"])
def test_feed_entries_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    with pytest.raises(SiteError, match="feed_entries"):
        load_settings(write(tmp_path, f"feed_entries = {value}\n"))


def test_init_writes_a_description(tmp_path: Path) -> None:
    site = Site.init(tmp_path / "blog", title="Blog", description='News of the "group".')
    assert site.settings.description == 'News of the "group".'
    assert Site.init(tmp_path / "other").settings.description == ""
