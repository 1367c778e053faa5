"""Profiles load, and a broken profile fails at load time naming file, key and problem.

A broken file in the sites directory disables only its own profile, and a file may take a shipped
profile's name only with ``override = true``.
"""

import logging
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from newscrawl.profiles import (
    ProfileError,
    load_catalog,
    load_profile,
    load_profiles,
    profile_by_name,
)
from newscrawl.profiles.loader import SHIPPED_DIR
from newscrawl.spiderloader import ProfileSpiderLoader

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

[dates]
formats = ["%d %B %Y"]

[boilerplate]
phrases = ["Share this"]
"""


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, old: str, new: str, text: str = VALID) -> str:
    """The message of the ProfileError for ``text`` with ``old`` replaced by ``new``."""
    assert old in text
    path = write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_shipped_profiles_load():
    profiles = load_profiles()
    assert "ict_en" in profiles
    for name, profile in profiles.items():
        assert profile.name == name
        assert profile.url_patterns
        assert profile.source == SHIPPED_DIR / f"{name}.toml"


def test_valid_profile(tmp_path):
    profile = load_profile(write(tmp_path, VALID.replace('"https://demo.example"', '"https://demo.example/"')))
    assert profile.name == "demo_site"
    assert profile.base_url == "https://demo.example"  # trailing slash dropped
    assert profile.selectors.paragraphs == "p"
    assert profile.calendar == "auto"
    assert profile.discovery.strategy == "all"
    assert profile.discovery.stop_after_known == 20
    assert profile.url_patterns[0].match("/news/12")["id"] == "12"
    assert profile.canonical_path == "/news/{id}"
    assert profile.hosts == frozenset({"demo.example"})
    assert profile.override is False
    assert profile.source == tmp_path / "site.toml"


def test_profile_is_frozen(tmp_path):
    profile = load_profile(write(tmp_path, VALID))
    with pytest.raises(ValueError, match="frozen"):
        profile.name = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        profile.selectors.title = "h2"  # type: ignore[misc]


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
        ('listings = ["/news"]', 'listings = ["news"]', "discovery.listings[0]", "starting with '/'"),
        ('listings = ["/news"]', "listings = []", "discovery", "at least one of"),
        ('lang = "en"', 'lang = "en"\ncalendar = "lunar"', "calendar", "must be one of"),
        ('title = "h1"', 'title = "  "', "selectors.title", "must not be empty"),
        ('listings = ["/news"]', 'listings = ["/news"]\nstop_after_known = 0', "discovery.stop_after_known", "at least 1"),
        ("url_patterns = ['^/news/(?P<id>\\d+)']", "url_patterns = []", "article.url_patterns", "at least one regex"),
    ],
)
def test_broken_profile_names_file_key_problem(tmp_path, old, new, key, problem):
    message = broken(tmp_path, old, new)
    assert f"'{key}'" in message
    assert problem in message


@pytest.mark.parametrize(
    ("key", "table", "line", "allowed"),
    [
        ("calendar", 'lang = "en"', 'calendar = "lunar"', ["auto", "gregorian", "jalali"]),
        ("discovery.strategy", 'listings = ["/news"]', 'strategy = "sometimes"', ["all", "fallback"]),
    ],
)
def test_every_enumeration_refuses_other_values(tmp_path, key, table, line, allowed):
    message = broken(tmp_path, table, f"{table}\n{line}")
    bad = line.split(" = ")[1].strip('"')
    assert f"key '{key}': must be one of " in message
    assert f"not '{bad}'" in message
    for value in allowed:  # the message lists the allowed values, and each is accepted
        assert f"'{value}'" in message
        ok = load_profile(write(tmp_path, VALID.replace(table, f'{table}\n{line.split(" = ")[0]} = "{value}"', 1)))
        assert (ok.calendar if key == "calendar" else ok.discovery.strategy) == value


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('lang = "en"', "lang_code"),
        ("[article]", "article.url_pattern"),
        ("[discovery]", "discovery.listing"),
        ("[selectors]", "selectors.headline"),
        ("[dates]", "dates.format"),
        ("[boilerplate]", "boilerplate.phrase"),
    ],
)
def test_unknown_key_in_every_table(tmp_path, table, key):
    message = broken(tmp_path, table, f'{table}\n{key.rsplit(".", 1)[-1]} = "x"')
    assert f"key '{key}': unknown key" in message


@pytest.mark.parametrize(
    ("old", "new", "key", "wanted", "given"),
    [
        ('lang = "en"', "lang = 5", "lang", "a string", "an integer"),
        ('lang = "en"', 'lang = "en"\noverride = "yes"', "override", "true or false", "a string"),
        ('listings = ["/news"]', 'listings = ["/news"]\nmax_listing_pages = "5"', "discovery.max_listing_pages", "an integer", "a string"),
        ('listings = ["/news"]', 'listings = ["/news"]\nmax_listing_pages = 1.5', "discovery.max_listing_pages", "an integer", "a float"),
        ('listings = ["/news"]', 'listings = "/news"', "discovery.listings", "an array", "a string"),
        ('phrases = ["Share this"]', 'phrases = ["Share this"]\ndrop_repeated_title = "no"', "boilerplate.drop_repeated_title", "true or false", "a string"),
        ('formats = ["%d %B %Y"]', "formats = [1]", "dates.formats[0]", "a string", "an integer"),
        ('formats = ["%d %B %Y"]', "pattern = 7", "dates.pattern", "a string (a regular expression)", "an integer"),
        ('lang = "en"', 'lang = "en"\ndates = "x"', "dates", "a table", "a string"),
    ],
)
def test_wrong_type_names_what_is_wanted(tmp_path, old, new, key, wanted, given):
    without_dates = VALID.replace('[dates]\nformats = ["%d %B %Y"]\n', "")  # so `dates` can be a string
    message = broken(tmp_path, old, new, without_dates if key == "dates" else VALID)
    assert f"key '{key}': must be {wanted}, not {given}" in message


@pytest.mark.parametrize(
    ("old", "key"),
    [
        ('name = "demo_site"\n', "name"),
        ('site = "demo.example"\n', "site"),
        ('lang = "en"\n', "lang"),
        ('timezone = "Asia/Tehran"\n', "timezone"),
        ('base_url = "https://demo.example"\n', "base_url"),
        ("url_patterns = ['^/news/(?P<id>\\d+)']\n", "article.url_patterns"),
        ('canonical_path = "/news/{id}"\n', "article.canonical_path"),
        ('[discovery]\nlistings = ["/news"]\n', "discovery"),
    ],
)
def test_missing_required_key(tmp_path, old, key):
    assert f"key '{key}': is required" in broken(tmp_path, old, "")


def test_every_problem_is_one_line(tmp_path):
    text = VALID.replace('lang = "en"', 'lang = ""\ncalendar = "lunar"\ncolour = "red"').replace('title = "h1"', 'title = "h1[["')
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "key 'lang'",
        "key 'calendar'",
        "key 'selectors.title'",
        "key 'colour'",
    ]
    assert all(line.startswith(f"{path}: key '") for line in lines)
    assert caught.value.key == "lang" and caught.value.problem == "must not be empty"
    assert len(caught.value.problems) == 4


def test_invalid_toml_names_file(tmp_path):
    path = write(tmp_path, "name = ")
    with pytest.raises(ProfileError, match="not valid TOML") as caught:
        load_profile(path)
    assert str(path) in str(caught.value)


def test_source_is_not_a_key(tmp_path):
    message = broken(tmp_path, 'lang = "en"', 'lang = "en"\nsource = "/etc/passwd"')
    assert "key 'source': unknown key" in message


def test_sites_dir_adds_profiles(tmp_path):
    write(tmp_path, VALID)
    profiles = load_profiles(str(tmp_path))
    assert "demo_site" in profiles and "ict_en" in profiles


def test_sites_dir_must_exist(tmp_path):
    with pytest.raises(ProfileError, match="is not a directory"):
        load_profiles(str(tmp_path / "missing"))


# -- a broken file disables only its own profile ------------------------------------------------


def sites_with_a_broken_file(tmp_path: Path) -> tuple[Path, Path]:
    write(tmp_path, VALID, "good.toml")
    bad = write(tmp_path, VALID.replace("demo_site", "bad_site").replace('"Asia/Tehran"', '"Mars/Olympus"'), "bad.toml")
    return tmp_path, bad


def test_broken_file_disables_only_its_profile(tmp_path):
    directory, bad = sites_with_a_broken_file(tmp_path)
    catalog = load_catalog(str(directory))
    assert set(catalog.profiles) == {"demo_site", "ict_en", "ict_fa", "moic_dr", "msrt_en"}
    assert list(catalog.errors) == ["bad_site"]
    problem = catalog.problem("bad_site")
    assert problem is not None and problem.startswith(f"{bad}: key 'timezone': unknown time zone 'Mars/Olympus'")
    assert catalog.problem("demo_site") is None


def test_unreadable_file_is_disabled_under_its_file_name(tmp_path):
    write(tmp_path, VALID, "good.toml")
    bad = write(tmp_path, "name = ", "half_written.toml")
    catalog = load_catalog(str(tmp_path))
    assert "demo_site" in catalog.profiles
    assert f"{bad}: not valid TOML" in (catalog.problem("half_written") or "")


def test_load_profiles_logs_the_broken_file(tmp_path, caplog):
    directory, bad = sites_with_a_broken_file(tmp_path)
    with caplog.at_level(logging.ERROR, logger="newscrawl.profiles.loader"):
        profiles = load_profiles(str(directory))
    assert "bad_site" not in profiles and "demo_site" in profiles
    zone = "unknown time zone 'Mars/Olympus' (use an IANA name such as Asia/Tehran)"
    assert [r.getMessage() for r in caplog.records] == [f"profile 'bad_site' disabled: {bad}: key 'timezone': {zone}"]


def test_profile_by_name_of_a_broken_file_says_why(tmp_path):
    directory, bad = sites_with_a_broken_file(tmp_path)
    with pytest.raises(KeyError) as caught:
        profile_by_name("bad_site", str(directory))
    assert f"profile 'bad_site' is disabled: {bad}: key 'timezone'" in caught.value.args[0]
    assert profile_by_name("demo_site", str(directory)).source == directory / "good.toml"


def test_spider_loader_keeps_the_other_spiders(tmp_path):
    directory, bad = sites_with_a_broken_file(tmp_path)
    loader = ProfileSpiderLoader(Settings({"NEWSCRAWL_SITES_DIR": str(directory), "SPIDER_MODULES": []}))
    assert {"demo_site", "ict_en", "msrt_en"} <= set(loader.list())
    assert "bad_site" not in loader.list()
    assert loader.load("demo_site").profile.name == "demo_site"  # type: ignore[attr-defined]
    with pytest.raises(UsageError) as caught:
        loader.load("bad_site")
    assert str(caught.value).startswith(f"{bad}: key 'timezone': unknown time zone")
    with pytest.raises(KeyError):
        loader.load("no_such_site")


def test_spider_loader_reports_broken_file_on_stderr_without_logging(tmp_path, capsys, monkeypatch):
    # scrapy list / scrapy crawl make the loader before logging is set up: the error must still show
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    directory, bad = sites_with_a_broken_file(tmp_path)
    ProfileSpiderLoader(Settings({"NEWSCRAWL_SITES_DIR": str(directory), "SPIDER_MODULES": []}))
    assert f"ERROR: profile 'bad_site' disabled: {bad}: key 'timezone': unknown time zone" in capsys.readouterr().err


# -- reusing a shipped profile's name needs override = true -------------------------------------


def shipped_name(text: str = VALID) -> str:
    return text.replace('name = "demo_site"', 'name = "ict_en"')


def test_reusing_a_shipped_name_is_an_error(tmp_path):
    path = write(tmp_path, shipped_name(), "mine.toml")
    catalog = load_catalog(str(tmp_path))
    problem = catalog.problem("ict_en") or ""
    assert problem.startswith(f"{path}: key 'name': 'ict_en' is already the name of {SHIPPED_DIR / 'ict_en.toml'}")
    assert "override = true" in problem
    assert "ict_en" not in catalog.profiles  # ambiguous: neither file is used
    assert "ict_fa" in catalog.profiles


def test_override_replaces_a_shipped_profile(tmp_path):
    path = write(tmp_path, shipped_name().replace('lang = "en"', 'lang = "en"\noverride = true'), "mine.toml")
    catalog = load_catalog(str(tmp_path))
    assert catalog.errors == {}
    assert catalog.profiles["ict_en"].source == path
    assert catalog.profiles["ict_en"].site == "demo.example"


def test_two_files_with_one_name_are_an_error(tmp_path):
    first = write(tmp_path, VALID, "a.toml")
    second = write(tmp_path, VALID, "b.toml")
    problem = load_catalog(str(tmp_path)).problem("demo_site") or ""
    assert problem.startswith(f"{second}: key 'name': 'demo_site' is already the name of {first}")


def test_a_shipped_profile_is_overridden_once(tmp_path):
    text = shipped_name().replace('lang = "en"', 'lang = "en"\noverride = true')
    first = write(tmp_path, text, "a.toml")
    second = write(tmp_path, text, "b.toml")
    catalog = load_catalog(str(tmp_path))
    assert (catalog.problem("ict_en") or "").startswith(f"{second}: key 'name': 'ict_en' is already the name of {first}")
    assert "ict_en" not in catalog.profiles


# -- max_page_size: the site's download size cap -------------------------------------------------

MIB = 1024 * 1024


def with_page_size(value: str) -> str:
    return VALID.replace('lang = "en"', f'lang = "en"\nmax_page_size = {value}', 1)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ('"32 MiB"', 32 * MIB),
        ('"32MiB"', 32 * MIB),
        ('"1.5 MiB"', 3 * MIB // 2),
        ('"512 KiB"', 512 * 1024),
        ('"1 GiB"', 1024 * MIB),
        ('"4096 B"', 4096),
        ("33554432", 32 * MIB),
        ("1024", 1024),  # the smallest cap
    ],
)
def test_max_page_size_in_bytes_or_binary_units(tmp_path, value, size):
    assert load_profile(write(tmp_path, with_page_size(value))).max_page_size == size


def test_max_page_size_defaults_to_the_setting(tmp_path):
    assert load_profile(write(tmp_path, VALID)).max_page_size is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"32 MB"', "'32 MB' is not a size: an integer number of bytes, or a string such as \"32 MiB\" (units: B, KiB, MiB, GiB)"),
        ('"32"', "'32' is not a size"),
        ('"lots"', "'lots' is not a size"),
        ('"-1 MiB"', "'-1 MiB' is not a size"),
        ('"32 mib"', "'32 mib' is not a size"),
        ("32.5", 'must be a size: an integer number of bytes, or a string such as "32 MiB" (units: B, KiB, MiB, GiB), not 32.5'),
        ("true", "must be a size: an integer number of bytes, or a string such as \"32 MiB\" (units: B, KiB, MiB, GiB), not true"),
        ("[1]", "must be a size: an integer number of bytes, or a string such as \"32 MiB\" (units: B, KiB, MiB, GiB), not [1]"),
        ("32", 'must be at least 1 KiB (1024 bytes), not 32 bytes; a size with a unit is a string, e.g. "32 MiB"'),
        ("0", "must be at least 1 KiB (1024 bytes), not 0 bytes"),
        ("-5", "must be at least 1 KiB (1024 bytes), not -5 bytes"),
        ('"1023 B"', "must be at least 1 KiB (1024 bytes), not 1023 bytes"),
    ],
)
def test_bad_max_page_size_names_file_key_problem(tmp_path, value, problem):
    message = broken(tmp_path, 'lang = "en"', f'lang = "en"\nmax_page_size = {value}')
    assert f"key 'max_page_size': {problem}" in message
    assert len(message.splitlines()) == 1


def test_spider_takes_max_page_size_as_download_maxsize(tmp_path):
    """At the spider's priority: over the project's setting, under the command line's."""
    from newscrawl.spiderloader import spider_class

    spider = spider_class(load_profile(write(tmp_path, with_page_size('"48 MiB"'))))
    settings = Settings({"DOWNLOAD_MAXSIZE": 16 * MIB}, priority="project")
    spider.update_settings(settings)
    assert settings.getint("DOWNLOAD_MAXSIZE") == 48 * MIB
    command_line = Settings({"DOWNLOAD_MAXSIZE": 20 * MIB}, priority="cmdline")
    spider.update_settings(command_line)
    assert command_line.getint("DOWNLOAD_MAXSIZE") == 20 * MIB
    plain = spider_class(load_profile(write(tmp_path, VALID)))
    unchanged = Settings({"DOWNLOAD_MAXSIZE": 16 * MIB}, priority="project")
    plain.update_settings(unchanged)
    assert unchanged.getint("DOWNLOAD_MAXSIZE") == 16 * MIB
