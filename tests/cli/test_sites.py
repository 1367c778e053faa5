"""``--site`` means the same everywhere: a profile name, or a domain (every profile serving it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newscrawl.cli._errors import CommandError
from newscrawl.cli._sites import profile_names, resolve_site, resolve_sites, single_profile
from newscrawl.cli.export import _site_filter
from newscrawl.cli.reextract import _only
from newscrawl.db.models import CrawlRun
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.profiles import Profile, load_profiles
from newscrawl.reextract import SiteFilter
from tests.cli.helpers import assert_usage_error, newscrawl


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return load_profiles(None)


@pytest.mark.parametrize(
    ("value", "names", "named"),
    [
        ("ict_en", ["ict_en"], True),
        ("ict.gov.ir", ["ict_en", "ict_fa"], False),  # the profiles' `site`
        ("www.ict.gov.ir", ["ict_en", "ict_fa"], False),  # a name in their `domains`
        ("WWW.ICT.GOV.IR.", ["ict_en", "ict_fa"], False),  # case and the root dot don't matter
        ("msrt.ir", ["msrt_en"], False),
        ("moic.gov.af", ["moic_dr"], False),
    ],
)
def test_a_site_is_a_name_or_a_domain(profiles, value, names, named) -> None:
    choice = resolve_site(value, profiles)
    assert [p.name for p in choice.profiles] == names
    assert choice.named is named


def test_an_unknown_site_is_a_usage_error_listing_the_names(profiles) -> None:
    with pytest.raises(CommandError) as raised:
        resolve_site("ict", profiles)
    assert raised.value.code == 2
    assert "'ict'" in str(raised.value)
    assert "ict_en, ict_fa, moic_dr, msrt_en" in str(raised.value)


def test_the_database_may_know_a_site_no_profile_describes(profiles) -> None:
    asked: list[str] = []

    def stored(value: str) -> bool:
        asked.append(value)
        return value == "old.gov.ir"

    assert resolve_site("old.gov.ir", profiles, stored=stored).sites == ("old.gov.ir",)
    assert resolve_site("ict_en", profiles, stored=stored).sites == ("ict.gov.ir",)
    assert asked == ["old.gov.ir"]  # the database is asked only when no profile matches
    with pytest.raises(CommandError):
        resolve_site("new.gov.ir", profiles, stored=stored)


def test_names_and_domains_together_give_each_profile_once(profiles) -> None:
    choices = resolve_sites(["ict_fa", "ict.gov.ir", "msrt.ir"], profiles)
    assert profile_names(choices) == ["ict_fa", "ict_en", "msrt_en"]


def test_one_profile_is_asked_for_by_name(profiles) -> None:
    assert single_profile(resolve_site("msrt.ir", profiles), "x").name == "msrt_en"
    with pytest.raises(CommandError, match="ict_en, ict_fa; one only: give one profile name"):
        single_profile(resolve_site("ict.gov.ir", profiles), "one only")


def test_reextract_site(profiles) -> None:
    assert _only("ict_en", profiles) == SiteFilter("ict.gov.ir", "en")
    assert _only("www.ict.gov.ir", profiles) == SiteFilter("ict.gov.ir")


@pytest.mark.parametrize(
    ("sites", "langs", "expected"),
    [
        (["ict.gov.ir"], [], (("ict.gov.ir",), ())),
        (["ict.gov.ir"], ["fa"], (("ict.gov.ir",), ("fa",))),
        (["ict_en"], [], (("ict.gov.ir",), ("en",))),
        (["ict_en", "ict_fa"], [], (("ict.gov.ir",), ("en", "fa"))),
        (["ict_en", "msrt_en"], [], (("ict.gov.ir", "msrt.ir"), ("en",))),
        (["ict_en", "moic_dr"], [], (("ict.gov.ir", "moic.gov.af"), ("en", "fa-AF"))),
        (["ict_en", "ict_fa"], ["fa"], (("ict.gov.ir",), ("fa",))),
    ],
)
def test_export_site_filter(profiles, sites, langs, expected) -> None:
    assert _site_filter(resolve_sites(sites, profiles), tuple(langs), profiles) == expected


@pytest.mark.parametrize(
    ("sites", "langs", "problem"),
    [
        # sites {ict, msrt} x langs {fa, en} would export ict_en as well
        (["ict_fa", "msrt_en"], [], "also export ict_en"),
        (["ict_en", "msrt.ir"], [], "every language"),
        (["ict_en"], ["fa"], "excludes every --site"),
    ],
)
def test_export_site_filter_refuses_what_it_cannot_express(profiles, sites, langs, problem) -> None:
    with pytest.raises(CommandError, match=problem) as raised:
        _site_filter(resolve_sites(sites, profiles), tuple(langs), profiles)
    assert raised.value.code == 2


@pytest.mark.db
def test_export_and_runs_by_name_and_domain(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        ensure_schema(engine)
        started = datetime(2024, 3, 1, tzinfo=UTC)
        with make_sessionmaker(engine).begin() as session:
            for minute, site in enumerate(["ict_en", "msrt_en", "ict_fa", "gone_en"]):
                at = started.replace(minute=minute)
                run = CrawlRun(site=site, host="h", pid=1, status="finished", counts={})
                run.started_at = at
                session.add(run)
    finally:
        engine.dispose()

    def sites_listed(value: str) -> list[str]:
        result = newscrawl("runs", "--site", value, "--database-url", db_url)
        assert result.returncode == 0, result.stderr
        return [line.split()[1] for line in result.stdout.splitlines()[1:]]

    assert sites_listed("ict_en") == ["ict_en"]
    assert sites_listed("www.ict.gov.ir") == ["ict_fa", "ict_en"]  # newest first
    assert sites_listed("gone_en") == ["gone_en"]  # recorded, though no profile is left
    assert_usage_error(
        newscrawl("runs", "--site", "nope", "--database-url", db_url), "newscrawl runs", "'nope'"
    )
    assert_usage_error(
        newscrawl("export", "--site", "nope", "--database-url", db_url),
        "newscrawl export",
        "'nope'",
    )
    exported = newscrawl("export", "--site", "ict_en", "--database-url", db_url)
    assert (exported.returncode, exported.stdout) == (0, "")
