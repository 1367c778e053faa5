"""Profiles load, and a broken profile fails at load time naming file, key and problem."""

from pathlib import Path

import pytest

from newscrawl.profiles import ProfileError, load_profile, load_profiles

VALID = """
name = "demo_site"
site = "demo.example"
lang = "en"
timezone = "Asia/Tehran"
base_url = "https://demo.example"

[article]
url_patterns = ['^/news/(?P<id>\\d+)']
canonical_path = "/news/{id}"

[discovery]
listings = ["/news"]

[selectors]
title = "h1"
body = ".body"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profiles_load():
    profiles = load_profiles()
    assert "ict_en" in profiles
    for name, profile in profiles.items():
        assert profile.name == name
        assert profile.url_patterns


def test_valid_profile(tmp_path):
    profile = load_profile(write(tmp_path, VALID))
    assert profile.name == "demo_site"
    assert profile.selectors.paragraphs == "p"
    assert profile.hosts == frozenset({"demo.example"})


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('timezone = "Asia/Tehran"', 'timezone = "Asia/Teheran"', "timezone", "unknown time zone"),
        ('name = "demo_site"', 'name = "Demo Site"', "name", "lowercase"),
        ('name = "demo_site"\n', "", "name", "is required"),
        ('title = "h1"', 'title = "h1[["', "selectors.title", "invalid CSS selector"),
        ('title = "h1"', 'titel = "h1"', "selectors.titel", "unknown key"),
        ("'^/news/(?P<id>\\d+)'", "'^/news/(\\d+)'", "article.url_patterns[0]", "(?P<id>"),
        ("'^/news/(?P<id>\\d+)'", "'^/news/(?P<id>\\d+'", "article.url_patterns[0]", "invalid regular expression"),
        ('canonical_path = "/news/{id}"', 'canonical_path = "/news/"', "article.canonical_path", "{id}"),
        ('base_url = "https://demo.example"', 'base_url = "demo.example"', "base_url", "http(s) URL"),
        ('lang = "en"', "lang = 5", "lang", "must be a str"),
        ('listings = ["/news"]', 'listings = ["news"]', "discovery.listings", "starting with '/'"),
        ('listings = ["/news"]', "listings = []", "discovery", "at least one of"),
        ('lang = "en"', 'lang = "en"\ncalendar = "lunar"', "calendar", "must be one of"),
    ],
)
def test_broken_profile_names_file_key_problem(tmp_path, old, new, key, problem):
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert problem in message


def test_invalid_toml_names_file(tmp_path):
    path = write(tmp_path, "name = ")
    with pytest.raises(ProfileError, match="not valid TOML") as caught:
        load_profile(path)
    assert str(path) in str(caught.value)


def test_sites_dir_adds_profiles(tmp_path):
    write(tmp_path, VALID)
    profiles = load_profiles(str(tmp_path))
    assert "demo_site" in profiles and "ict_en" in profiles


def test_sites_dir_must_exist(tmp_path):
    with pytest.raises(ProfileError, match="is not a directory"):
        load_profiles(str(tmp_path / "missing"))
