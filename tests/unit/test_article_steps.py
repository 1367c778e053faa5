"""The clean and date steps of newscrawl.extract.article, driven by the profile.

Expected values are worked out by hand: 14 Azar 1396 is 5 December 2017 (Tehran at +03:30 then,
Iran's standard time in winter), and 21:27 there is 17:57 UTC.
"""

from __future__ import annotations

from typing import Any

import pytest

from newscrawl.extract.article import DateStatus, clean_article, date_article, is_persian
from newscrawl.items import Article
from newscrawl.profiles import profile_by_name

ICT_EN = profile_by_name("ict_en")


def article(**fields: Any) -> Article:
    values: dict[str, Any] = {
        "url": "https://www.ict.gov.ir/en/news/1/x",
        "canonical_url": "https://www.ict.gov.ir/en/news/1",
        "site": "ict.gov.ir",
        "lang": "en",
        "source_id": "1",
        "title": "A title",
        "body": "Body text.",
        "fetched_at": "2026-11-28T10:00:00Z",
    }
    return Article(**{**values, **fields})


def test_a_lead_that_only_repeats_the_title_goes_and_the_body_loses_a_repeated_lead() -> None:
    item = article(title="  Iran and Italy sign an MoU ", lead="Iran and Italy sign an MoU.", body="Text.")
    assert clean_article(item, ICT_EN) is None
    assert (item.title, item.lead, item.body) == ("Iran and Italy sign an MoU", None, "Text.")
    item = article(lead="The lead.", body="The lead.\n\nText.")
    assert clean_article(item, ICT_EN) is None
    assert (item.lead, item.body) == ("The lead.", "Text.")


def test_an_article_without_a_title_or_body_is_dropped_with_its_reason() -> None:
    assert clean_article(article(title=None), ICT_EN) == "empty_title"
    assert clean_article(article(title="   "), ICT_EN) == "empty_title"
    assert clean_article(article(body="Sender name is required"), ICT_EN) == "empty_body"


@pytest.mark.parametrize(("lang", "persian"), [("fa", True), ("fa-IR", True), ("prs", True), ("en", False), ("en-fa", False)])
def test_persian_profiles_by_their_primary_language(lang: str, persian: bool) -> None:
    assert is_persian(ICT_EN.model_copy(update={"lang": lang})) is persian


def test_the_profiles_own_date_formats_are_used() -> None:
    profile = ICT_EN.model_copy(update={"dates": ICT_EN.dates.model_copy(update={"formats": ("%d|%m|%Y @ %Hh%M",)})})
    item = article(published_raw="05|12|2017 @ 21h27")
    assert date_article(item, profile) is DateStatus.PARSED
    assert (item.published_at, item.published_at_utc) == ("2017-12-05T21:27:00+03:30", "2017-12-05T17:57:00Z")
    assert date_article(article(published_raw="05|12|2017 @ 21h27"), ICT_EN) is DateStatus.UNPARSED


def test_the_profiles_calendar_decides_a_numeric_date() -> None:
    jalali = article(published_raw="1396/09/14 21:27")
    assert date_article(jalali, ICT_EN.model_copy(update={"calendar": "jalali"})) is DateStatus.PARSED
    assert jalali.published_at == "2017-12-05T21:27:00+03:30"
    # a Gregorian-only site never reads 1396 as a Jalali year
    refused = article(published_raw="1396/09/14 21:27")
    assert date_article(refused, ICT_EN.model_copy(update={"calendar": "gregorian"})) is DateStatus.UNPARSED
    assert refused.published_at is None and refused.published_at_utc is None


def test_a_date_without_a_time_is_date_only_and_has_no_utc_instant() -> None:
    item = article(published_raw="Dec 5, 2017")
    assert date_article(item, ICT_EN) is DateStatus.DATE_ONLY
    assert (item.published_at, item.published_at_utc) == ("2017-12-05", None)
    assert date_article(article(published_raw=None), ICT_EN) is DateStatus.MISSING
