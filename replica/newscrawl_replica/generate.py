"""Deterministic generation of the replica sites' articles: the same data the server serves.

``generate_site(name, count, seed)`` depends only on its arguments: every random choice comes from a
``random.Random`` seeded with the integer value of the bytes of ``"{site}:{seed}:{id}"`` (so nothing
depends on ``PYTHONHASHSEED``). No clock, no ``hash()``. An article's text depends only on
(site, seed, id); the other ids and all unpinned dates depend on (count, seed). Bodies are made on first
access (see ``ArticleSpec.paragraphs``), from their own generator, so that is deterministic too.

Special articles have FIXED ids on every run and for every ``count`` (``count`` is the total number of
articles; the fixed ones are always included, so the total is at least their number). Dates shown below
are pinned; the others (no_date, gone, flaky, variants, ...) get generated dates near the top of the
listing (with the default 200 articles all but ict_fa 19522 are on listing page 1 and in the feeds):

ict_en (``/en/news/{id}/{Slug}``, Asia/Tehran)
    27012 seed (real text, ``Dec 5, 2017 21:27``) | 4378 dst ``Apr 6, 2010 09:04`` (paired with fa 12011)
    | 5098 std ``Sep 29, 2010 16:32`` | 4012, 4131, 4190 no_dst (summers 2006-2007) | 4255, 4301, 5750,
    12500, 21010, 23570 dst (summers 2008-2021) | 24800, 25800, 26600 no_dst (summers 2023-2025)
    | 25527 dst, ``Iran-Armenia-to-Extend-IT-Collaboration`` (paired with fa 41872)
    | 26950 fold ``Sep 21, 2017 23:30`` | 24100 gap ``Mar 22, 2022 00:30``
    | 26990 no_date | 26991 empty_body | 26992 gone | 26993 flaky
    | listing variants (flag ``variant``): 26994 ``/en/news/26994`` (no slug), 26995 ``/en/news/26995/``,
    26996 another slug, 26997 ``?utm_source=rss&utm_medium=feed``, 26998 ``#comments``
    | 26980, 26981, 26982 paired with fa 59950, 59951, 59952.
ict_fa (``/fa/news/{id}/{percent-encoded slug}``, Asia/Tehran)
    12011, 41872, 59950-59952 paired (see above) | 40100 ``۱۴ آذر ۱۳۹۶ - ۲۱:۲۷`` | 40101
    ``سه‌شنبه ۱۴ آذر ۱۳۹۶ ساعت ۲۱:۲۷`` | 33333 arabic_letters ``۱۲ ارديبهشت ۱۳۹۳ - ۲۳:۱۸``
    | 36000 arabic_letters ``دي`` | 38000 rlm | 38001 mixed_digits | 40500 fold | 52000 gap
    | 59990 no_date | 59991 empty_body | 59992 gone | 59993 flaky
    | 59994 encoding ``cp1256_meta_only`` (windows-1256 bytes, charset only in ``<meta http-equiv>``,
    Content-Type header without charset; text uses Arabic ي/ك and ASCII digits, as legacy pages did)
    | 59995 encoding ``utf8_bom`` | 59996 encoding ``wrong_header_charset`` (header says windows-1256,
    bytes and ``<meta charset>`` are UTF-8)
    | listing variants: 59980 no slug, 19522 ``/fa/news/19522/``, 59982 another slug, 59983 utm, 59984
    ``#comments``.
msrt_en (``/en/news/{id}/{lowercase-slug-}``, Asia/Tehran)
    46597 ``happy-nowruz-`` ``21 March 2019 | 00:00`` | 47000 dst | 58990 no_date | 58991 empty_body
    | 58992 gone | 58993 flaky.
moic_dr (``/dr/node/{nid}``, Asia/Kabul)
    10450 ``سه‌شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵`` | 10468 ``پنجشنبه ۱۴۰۳/۱۲/۲ - ۱۳:۲۵`` | 11990 no_date
    | 11991 empty_body | 11992 gone | 11993 flaky.

Pairs (``ArticleSpec.alternate``) are consistent: ict_en X names ``("fa", path of fa Y)`` and ict_fa Y
names ``("en", path of en X)``; the path is on the OTHER site.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from newscrawl_replica import model as m
from newscrawl_replica import text_en, text_fa
from newscrawl_replica.datefmt import (
    DARI_MONTHS,
    DARI_WEEKDAYS,
    FA_MONTHS,
    RLM,
    TODAY,
    ar_digits,
    arabic_letters,
    dari_day,
    dari_numeric,
    en_ict,
    en_long_day,
    en_msrt,
    fa_day,
    fa_digits,
    fa_long,
    fa_short,
    jalali,
)
from newscrawl_replica.model import ArticleSpec, SiteData
from newscrawl_replica.seed import SEED_ID, load_seed
from newscrawl_replica.slugs import ict_slug, msrt_slug, quote_path
from newscrawl_replica.textgen import between, pick

SITE_NAMES = ("ict_en", "ict_fa", "msrt_en", "moic_dr")


@dataclass(frozen=True, slots=True)
class Pin:
    """A fixed article: its date (None: the generated one), flags and optional fixed title."""

    when: datetime | None = None
    flags: frozenset[str] = frozenset()
    title: str | None = None
    listing: str = ""  # "noslug", "slash", "otherslug", "utm", "fragment"
    date_style: str = ""  # ict_fa: "short" or "long"
    encoding: str = ""


def _pin(
    when: tuple[int, int, int, int, int] | None,
    *flags: str,
    title: str | None = None,
    listing: str = "",
    date_style: str = "",
    encoding: str = "",
) -> Pin:
    return Pin(
        when=datetime(*when) if when else None,
        flags=frozenset(flags),
        title=title,
        listing=listing,
        date_style=date_style,
        encoding=encoding,
    )


# (en id, fa id, wall-clock time, English title, Persian title)
PAIRS: tuple[tuple[int, int, datetime, str, str], ...] = (
    (
        25527,
        41872,
        datetime(2017, 7, 18, 10, 30),
        "Iran, Armenia to Extend IT Collaboration",
        "ایران و ارمنستان همکاری‌های فناوری اطلاعات را گسترش می‌دهند",
    ),
    (
        4378,
        12011,
        datetime(2010, 4, 6, 9, 4),
        "ICT Minister Inaugurates Rural Telecom Projects in Golestan",
        "افتتاح طرح‌های ارتباطی روستایی استان گلستان با حضور وزیر ارتباطات",
    ),
    (
        26980,
        59950,
        datetime(2025, 11, 18, 10, 20),
        "Iran Hosts Regional Meeting on Digital Economy",
        "میزبانی ایران از نشست منطقه‌ای اقتصاد دیجیتال",
    ),
    (
        26981,
        59951,
        datetime(2025, 11, 17, 12, 0),
        "National Information Network Reaches 5,000 More Villages",
        "اتصال ۵ هزار روستای دیگر به شبکه ملی اطلاعات",
    ),
    (
        26982,
        59952,
        datetime(2025, 11, 16, 9, 15),
        "Iran and Oman Sign MoU on Data Transit",
        "امضای تفاهم‌نامه ترانزیت داده میان ایران و عمان",
    ),
)
_EN_TO_FA = {en: (fa, when, en_t, fa_t) for en, fa, when, en_t, fa_t in PAIRS}
_FA_TO_EN = {fa: (en, when, en_t, fa_t) for en, fa, when, en_t, fa_t in PAIRS}

ICT_EN_PINS: dict[int, Pin] = {
    SEED_ID: _pin((2017, 12, 5, 21, 27), m.SEED),
    4012: _pin((2006, 6, 14, 10, 15), m.NO_DST),
    4131: _pin((2007, 7, 9, 8, 5), m.NO_DST),
    4190: _pin((2007, 8, 2, 13, 40), m.NO_DST),
    4255: _pin((2008, 7, 15, 11, 20), m.DST),
    4301: _pin((2009, 6, 10, 17, 45), m.DST),
    4378: _pin((2010, 4, 6, 9, 4), m.DST, m.PAIRED),
    5098: _pin((2010, 9, 29, 16, 32), m.STD),
    5750: _pin((2012, 6, 20, 11, 20), m.DST),
    12500: _pin((2015, 8, 15, 18, 45), m.DST),
    21010: _pin((2018, 6, 1, 10, 0), m.DST),
    23570: _pin((2021, 8, 10, 9, 30), m.DST),
    24100: _pin((2022, 3, 22, 0, 30), m.GAP),
    24800: _pin((2023, 6, 1, 10, 0), m.NO_DST),
    25800: _pin((2024, 7, 20, 12, 10), m.NO_DST),
    26600: _pin((2025, 8, 5, 9, 45), m.NO_DST),
    25527: _pin((2017, 7, 18, 10, 30), m.DST, m.PAIRED),
    26950: _pin((2017, 9, 21, 23, 30), m.FOLD),
    26980: _pin((2025, 11, 18, 10, 20), m.PAIRED),
    26981: _pin((2025, 11, 17, 12, 0), m.PAIRED),
    26982: _pin((2025, 11, 16, 9, 15), m.PAIRED),
    26990: _pin(None, m.NO_DATE),
    26991: _pin(None, m.EMPTY_BODY),
    26992: _pin(None, m.GONE),
    26993: _pin(None, m.FLAKY),
    26994: _pin(None, m.VARIANT, listing="noslug"),
    26995: _pin(None, m.VARIANT, listing="slash"),
    26996: _pin(None, m.VARIANT, listing="otherslug"),
    26997: _pin(None, m.VARIANT, listing="utm"),
    26998: _pin(None, m.VARIANT, listing="fragment"),
}

ICT_FA_PINS: dict[int, Pin] = {
    41872: _pin((2017, 7, 18, 10, 30), m.PAIRED),
    12011: _pin((2010, 4, 6, 9, 4), m.PAIRED),
    59950: _pin((2025, 11, 18, 10, 20), m.PAIRED),
    59951: _pin((2025, 11, 17, 12, 0), m.PAIRED),
    59952: _pin((2025, 11, 16, 9, 15), m.PAIRED),
    40100: _pin((2017, 12, 5, 21, 27), date_style="short"),
    40101: _pin((2017, 12, 5, 21, 27), date_style="long"),
    33333: _pin((2014, 5, 2, 23, 18), m.ARABIC_LETTERS, date_style="short"),
    36000: _pin((2019, 1, 5, 10, 40), m.ARABIC_LETTERS, date_style="long"),
    38000: _pin((2020, 2, 11, 8, 50), m.RLM, date_style="short"),
    38001: _pin((2020, 10, 3, 14, 5), m.MIXED_DIGITS, date_style="short"),
    40500: _pin((2017, 9, 21, 23, 30), m.FOLD, date_style="short"),
    52000: _pin((2022, 3, 22, 0, 30), m.GAP, date_style="short"),
    59990: _pin(None, m.NO_DATE),
    59991: _pin(None, m.EMPTY_BODY),
    59992: _pin(None, m.GONE),
    59993: _pin(None, m.FLAKY),
    59994: _pin(None, m.ENCODING, encoding="cp1256_meta_only", date_style="short"),
    59995: _pin(None, m.ENCODING, encoding="utf8_bom"),
    59996: _pin(None, m.ENCODING, encoding="wrong_header_charset"),
    59980: _pin(None, m.VARIANT, listing="noslug"),
    19522: _pin(None, m.VARIANT, listing="slash"),
    59982: _pin(None, m.VARIANT, listing="otherslug"),
    59983: _pin(None, m.VARIANT, listing="utm"),
    59984: _pin(None, m.VARIANT, listing="fragment"),
}

MSRT_PINS: dict[int, Pin] = {
    46597: _pin((2019, 3, 21, 0, 0), m.STD, title="Happy Nowruz!"),
    47000: _pin((2019, 6, 12, 11, 30), m.DST),
    58990: _pin(None, m.NO_DATE),
    58991: _pin(None, m.EMPTY_BODY),
    58992: _pin(None, m.GONE),
    58993: _pin(None, m.FLAKY),
}

MOIC_PINS: dict[int, Pin] = {
    10450: _pin((2025, 2, 18, 10, 55)),
    10468: _pin((2025, 2, 20, 13, 25)),
    11990: _pin(None, m.NO_DATE),
    11991: _pin(None, m.EMPTY_BODY),
    11992: _pin(None, m.GONE),
    11993: _pin(None, m.FLAKY),
}

MSRT_CATEGORIES = ("Press Release", "News", "International", "Research", "Students")
_LEGACY = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def _rng(*parts: object) -> Random:
    """A generator seeded with the bytes of ``"part:part:…"`` (no hashing, same on every run)."""
    return Random(int.from_bytes(":".join(str(p) for p in parts).encode("utf-8"), "big"))


# ---------------------------------------------------------------------------------------------
# one article per site


def _en_body(
    site: str, seed: int, aid: int, vocab: text_en.EnVocab, st: text_en.EnStory, count: int
) -> Callable[[], list[str]]:
    """The body, made on first access from its own generator."""
    return lambda: text_en.paragraphs(_rng(site, seed, aid, "body"), vocab, st, count)


def _fa_body(
    site: str,
    seed: int,
    aid: int,
    vocab: text_fa.FaVocab,
    st: text_fa.FaStory,
    count: int,
    extra: str = "",
) -> Callable[[], list[str]]:
    """The body, made on first access from its own generator."""
    return lambda: text_fa.paragraphs(_rng(site, seed, aid, "body"), vocab, st, count, extra)


def _legacy(text: str) -> str:
    """Legacy Persian: Arabic yeh/kaf and ASCII digits (all of it encodable in windows-1256)."""
    return arabic_letters(text).translate(_LEGACY)


def _listing_path(path: str, aid: int, prefix: str, slug: str, kind: str) -> str:
    """The href the listing uses for an article: the canonical path or a URL variant of it."""
    if kind == "noslug":
        return f"{prefix}/{aid}"
    if kind == "slash":
        return f"{prefix}/{aid}/"
    if kind == "otherslug":  # an older slug: the first three words of the current one
        return f"{prefix}/{aid}/{quote_path('-'.join(slug.split('-')[:3]))}"
    if kind == "utm":
        return f"{path}?utm_source=rss&utm_medium=feed"
    if kind == "fragment":
        return f"{path}#comments"
    return path


def _ict_en_path(aid: int, title: str) -> str:
    return f"/en/news/{aid}/{quote_path(ict_slug(title))}"


def _ict_fa_path(aid: int, title: str) -> str:
    return f"/fa/news/{aid}/{quote_path(ict_slug(title))}"


def build_ict_en(seed: int, aid: int, when: datetime, pin: Pin | None) -> ArticleSpec:
    """One ict_en article."""
    rng = _rng("ict_en", seed, aid)
    flags = pin.flags if pin else frozenset()
    vocab = text_en.ICT
    st = text_en.story(rng, vocab, when.year)
    alternate: tuple[str, str] | None = None
    body: list[str] | Callable[[], list[str]]
    if m.SEED in flags:
        title, _, seed_paragraphs = load_seed()
        lead, body = seed_paragraphs[0], list(seed_paragraphs[1:])
    else:
        title = text_en.title(rng, vocab, st)
        if aid in _EN_TO_FA:
            fa_id, _, title, fa_title = _EN_TO_FA[aid]
            alternate = ("fa", _ict_fa_path(fa_id, fa_title))
        lead = text_en.lead(rng, vocab, st)
        body = _en_body("ict_en", seed, aid, vocab, st, between(rng, 3, 12))
    if m.EMPTY_BODY in flags:
        body = []
    slug = ict_slug(title)
    path = f"/en/news/{aid}/{quote_path(slug)}"
    return ArticleSpec(
        id=aid,
        slug=slug,
        title=title,
        lead=lead,
        body=body,
        date_raw=None if m.NO_DATE in flags else en_ict(when),
        tags=text_en.tags(rng, vocab, st),
        lang="en",
        caption=text_en.caption(rng, vocab),
        local_time=when,
        path=path,
        listing_path=_listing_path(path, aid, "/en/news", slug, pin.listing if pin else ""),
        flags=flags,
        alternate=alternate,
        title_in_body=bool(body) and m.SEED not in flags and rng.random() < 0.2,
    )


def _fa_date(rng: Random, when: datetime, pin: Pin | None) -> tuple[str, frozenset[str]]:
    """A Persian date line and the flags that describe its quirks."""
    style = (pin.date_style if pin else "") or ("short" if rng.random() < 0.65 else "long")
    raw = fa_short(when) if style == "short" else fa_long(when)
    flags: set[str] = set()
    pin_flags = pin.flags if pin else frozenset()
    if m.ARABIC_LETTERS in pin_flags or (not pin and rng.random() < 0.08):
        converted = arabic_letters(raw)
        if converted != raw:
            flags.add(m.ARABIC_LETTERS)
        raw = converted
    if m.MIXED_DIGITS in pin_flags:
        # the day in Persian digits, year and time in Arabic-Indic digits
        y, mo, d, _ = jalali(when)
        raw = f"{fa_digits(str(d))} {FA_MONTHS[mo - 1]} {ar_digits(f'{y} - {when:%H:%M}')}"
        flags.add(m.MIXED_DIGITS)
    if m.RLM in pin_flags or (not pin and rng.random() < 0.05):
        raw = f"{RLM}{raw}{RLM}"
        flags.add(m.RLM)
    return raw, frozenset(flags)


def build_ict_fa(seed: int, aid: int, when: datetime, pin: Pin | None) -> ArticleSpec:
    """One ict_fa article."""
    rng = _rng("ict_fa", seed, aid)
    flags = set(pin.flags if pin else ())
    vocab = text_fa.ICT_FA
    st = text_fa.story(rng, vocab)
    title = text_fa.title(rng, vocab, st)
    alternate: tuple[str, str] | None = None
    if aid in _FA_TO_EN:
        en_id, _, en_title, title = _FA_TO_EN[aid]
        alternate = ("en", _ict_en_path(en_id, en_title))
    lead = text_fa.lead(rng, vocab, st)
    n_paragraphs = between(rng, 3, 12)
    tags = text_fa.tags(rng, vocab, st)
    caption = text_fa.caption(rng, vocab)
    date_raw, date_flags = _fa_date(rng, when, pin)
    flags |= date_flags
    encoding = pin.encoding if pin else ""
    body: list[str] | Callable[[], list[str]]
    body = _fa_body("ict_fa", seed, aid, vocab, st, n_paragraphs)
    if encoding == "cp1256_meta_only":
        # a legacy page: Arabic yeh/kaf and ASCII digits, everything windows-1256 can encode
        title, lead, caption, date_raw = (
            _legacy(title),
            _legacy(lead),
            _legacy(caption),
            _legacy(date_raw),
        )
        body = [_legacy(p) for p in body()]
        tags = [_legacy(t) for t in tags]
    if m.EMPTY_BODY in flags:
        body = []
    slug = ict_slug(title)
    path = f"/fa/news/{aid}/{quote_path(slug)}"
    return ArticleSpec(
        id=aid,
        slug=slug,
        title=title,
        lead=lead,
        body=body,
        date_raw=None if m.NO_DATE in flags else date_raw,
        tags=tags,
        lang="fa",
        caption=caption,
        local_time=when,
        path=path,
        listing_path=_listing_path(path, aid, "/fa/news", slug, pin.listing if pin else ""),
        flags=frozenset(flags),
        alternate=alternate,
        title_in_body=bool(body) and rng.random() < 0.2,
        encoding=encoding,
    )


def build_msrt_en(seed: int, aid: int, when: datetime, pin: Pin | None) -> ArticleSpec:
    """One msrt_en article."""
    rng = _rng("msrt_en", seed, aid)
    flags = pin.flags if pin else frozenset()
    vocab = text_en.MSRT
    st = text_en.story(rng, vocab, when.year)
    title = (pin.title if pin else None) or text_en.title(rng, vocab, st)
    lead = text_en.lead(rng, vocab, st)
    n_paragraphs = between(rng, 2, 9)
    body: list[str] | Callable[[], list[str]] = (
        [] if m.EMPTY_BODY in flags else _en_body("msrt_en", seed, aid, vocab, st, n_paragraphs)
    )
    slug = msrt_slug(title)
    path = f"/en/news/{aid}/{quote_path(slug)}"
    return ArticleSpec(
        id=aid,
        slug=slug,
        title=title,
        lead=lead,
        body=body,
        date_raw=None if m.NO_DATE in flags else en_msrt(when),
        tags=text_en.tags(rng, vocab, st),
        lang="en",
        caption=text_en.caption(rng, vocab),
        local_time=when,
        path=path,
        flags=flags,
        category=pick(rng, MSRT_CATEGORIES),
    )


_DARI_GREG_MONTHS = (
    "جنوری",
    "فبروری",
    "مارچ",
    "اپریل",
    "می",
    "جون",
    "جولای",
    "اگست",
    "سپتمبر",
    "اکتوبر",
    "نومبر",
    "دسمبر",
)
_HIJRI_MONTHS = (
    "محرم",
    "صفر",
    "ربیع‌الاول",
    "ربیع‌الثانی",
    "جمادی‌الاول",
    "جمادی‌الثانی",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذی‌القعده",
    "ذی‌الحجه",
)


def _hijri(day: date) -> tuple[int, int, int]:
    """Tabular (arithmetic) Islamic calendar date; may differ by a day from the observed calendar."""
    jdn = day.toordinal() + 1721425
    n = jdn - 1948440 + 10632
    cycles = (n - 1) // 10631
    n = n - 10631 * cycles + 354
    j = ((10985 - n) // 5316) * ((50 * n) // 17719) + (n // 5670) * ((43 * n) // 15238)
    n = n - ((30 - j) // 15) * ((17719 * j) // 50) - (j // 16) * ((15238 * j) // 43) + 29
    month = (24 * n) // 709
    return 30 * cycles + j - 30, month, n - (709 * month) // 24


def _event_sentence(when: datetime) -> str:
    """A body sentence naming the event day in Jalali, Gregorian and lunar Hijri (not the article date)."""
    day = (when - timedelta(days=1)).date()
    y, mo, d, wd = jalali(day)
    hy, hm, hd = _hijri(day)
    text = (
        f"این برنامه روز {DARI_WEEKDAYS[wd]} {d} {DARI_MONTHS[mo - 1]} {y} مطابق با "
        f"{day.day} {_DARI_GREG_MONTHS[day.month - 1]} {day.year} میلادی و {hd} "
        f"{_HIJRI_MONTHS[hm - 1]} {hy} هجری قمری برگزار شد."
    )
    return fa_digits(text)


def build_moic_dr(seed: int, aid: int, when: datetime, pin: Pin | None) -> ArticleSpec:
    """One moic_dr article (a Drupal node)."""
    rng = _rng("moic_dr", seed, aid)
    flags = pin.flags if pin else frozenset()
    vocab = text_fa.MOIC_DR
    st = text_fa.story(rng, vocab)
    title = text_fa.title(rng, vocab, st)
    lead = text_fa.lead(rng, vocab, st)
    extra = _event_sentence(when) if rng.random() < 0.5 else ""
    n_paragraphs = between(rng, 2, 8)
    body: list[str] | Callable[[], list[str]] = []
    if m.EMPTY_BODY not in flags:
        body = _fa_body("moic_dr", seed, aid, vocab, st, n_paragraphs, extra)
    path = f"/dr/node/{aid}"
    return ArticleSpec(
        id=aid,
        slug="",
        title=title,
        lead=lead,
        body=body,
        date_raw=None if m.NO_DATE in flags else dari_numeric(when),
        tags=text_fa.tags(rng, vocab, st),
        lang="fa-AF",
        caption=text_fa.caption(rng, vocab),
        local_time=when,
        path=path,
        flags=flags,
    )


# ---------------------------------------------------------------------------------------------
# whole sites

Builder = Callable[[int, int, datetime, "Pin | None"], ArticleSpec]


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """How one site's ids and dates are laid out."""

    name: str
    lang: str
    tz: str
    id_lo: int
    id_hi: int
    start: datetime
    end: datetime
    pins: Mapping[int, Pin]
    build: Builder
    today: str


CONFIGS: dict[str, SiteConfig] = {
    "ict_en": SiteConfig(
        "ict_en",
        "en",
        "Asia/Tehran",
        4000,
        27000,
        datetime(2006, 3, 1),
        datetime(2025, 11, 20),
        ICT_EN_PINS,
        build_ict_en,
        en_long_day(TODAY),
    ),
    "ict_fa": SiteConfig(
        "ict_fa",
        "fa",
        "Asia/Tehran",
        10000,
        60000,
        datetime(2006, 3, 1),
        datetime(2025, 11, 20),
        ICT_FA_PINS,
        build_ict_fa,
        fa_day(TODAY),
    ),
    "msrt_en": SiteConfig(
        "msrt_en",
        "en",
        "Asia/Tehran",
        30000,
        59000,
        datetime(2012, 1, 10),
        datetime(2025, 11, 20),
        MSRT_PINS,
        build_msrt_en,
        f"{TODAY.day} {TODAY:%B} {TODAY.year}",
    ),
    "moic_dr": SiteConfig(
        "moic_dr",
        "fa-AF",
        "Asia/Kabul",
        1000,
        12000,
        datetime(2019, 1, 5),
        datetime(2025, 11, 20),
        MOIC_PINS,
        build_moic_dr,
        dari_day(TODAY),
    ),
}


def _random_times(rng: Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    """``n`` sorted wall-clock times between 07:00 and 22:59 (never in a DST gap or fold)."""
    days = (end - start).days
    out = [
        start + timedelta(days=rng.randrange(days), minutes=7 * 60 + rng.randrange(16 * 60))
        for _ in range(n)
    ]
    out.sort()
    return out


def _layout(cfg: SiteConfig, count: int, seed: int) -> list[tuple[int, datetime]]:
    """(id, time) of every article: fixed ids plus a sample, times increasing with the id."""
    rng = _rng(cfg.name, seed, "layout", count)
    pinned = set(cfg.pins)
    free = max(count - len(pinned), 0)
    hi = max(cfg.id_hi, cfg.id_lo + int(free * 1.2) + len(pinned) + 10)
    pool = [x for x in range(cfg.id_lo, hi) if x not in pinned]
    ids = sorted([*rng.sample(pool, free), *pinned])
    times = _random_times(rng, len(ids), cfg.start, cfg.end)
    out: list[tuple[int, datetime]] = []
    for aid, when in zip(ids, times, strict=True):
        pin = cfg.pins.get(aid)
        out.append((aid, pin.when if pin and pin.when else when))
    return out


def _link(articles: list[ArticleSpec], name: str, seed: int) -> None:
    """Related news, inline "Read more" links and inline markup (second pass, needs all paths)."""
    n = len(articles)
    for i, art in enumerate(articles):
        _link_one(art, articles, i, n, _rng(name, seed, art.id, "links"))


def _link_one(art: ArticleSpec, articles: list[ArticleSpec], i: int, n: int, rng: Random) -> None:
    lo, hi = max(0, i - 12), min(n, i + 13)
    candidates = [articles[j].id for j in range(lo, hi) if j != i]
    if not candidates:
        return
    art.related = tuple(rng.sample(candidates, min(len(candidates), between(rng, 3, 5))))
    if m.SEED in art.flags or not art.has_body:
        return
    if rng.random() < 0.15:
        art.inline_related = art.related[0]
    if rng.random() < 0.3:
        key = int(rng.random() * 2**32)
        if rng.random() < 0.5:
            target = next(a for a in articles[lo:hi] if a.id == art.related[-1])
            art.markup_plan = (key, "a", target.path)
        else:
            art.markup_plan = (key, pick(rng, ("em", "strong")), "")


def _sort_newest_first(articles: list[ArticleSpec]) -> None:
    articles.sort(key=lambda a: (a.local_time, a.id), reverse=True)


def generate_site(name: str, count: int = 200, seed: int = 0) -> SiteData:
    """Generate the articles of replica site ``name`` (one of :data:`SITE_NAMES`), newest first."""
    try:
        cfg = CONFIGS[name]
    except KeyError:
        raise ValueError(f"unknown replica site {name!r}; expected one of {SITE_NAMES}") from None
    # tens of thousands of small objects: the cyclic GC would run hundreds of times for nothing
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        layout = _layout(cfg, count, seed)
        articles = [cfg.build(seed, aid, when, cfg.pins.get(aid)) for aid, when in layout]
        _sort_newest_first(articles)
        _link(articles, name, seed)
    finally:
        if gc_was_enabled:
            gc.enable()
    return SiteData(
        name=name,
        lang=cfg.lang,
        tz=cfg.tz,
        seed=seed,
        articles=articles,
        today=cfg.today,
        specials={aid: pin.flags for aid, pin in cfg.pins.items() if pin.flags},
    )


def publish(site: SiteData, count: int) -> list[ArticleSpec]:
    """Add ``count`` new articles with the next ids, dated after the newest, at the top of ``site``."""
    cfg = CONFIGS[site.name]
    newest = max((a.local_time for a in site.articles), default=cfg.end)
    next_id = site.next_id()
    fresh = [
        cfg.build(site.seed, next_id + k, newest + timedelta(minutes=47 * (k + 1)), None)
        for k in range(count)
    ]
    fresh.reverse()  # newest first
    site.articles[:0] = fresh
    for i, art in enumerate(fresh):
        _link_one(
            art, site.articles, i, len(site.articles), _rng(site.name, site.seed, art.id, "links")
        )
    site.reindex()
    return fresh
