"""Decoding of HTML bodies (newscrawl/extract/encoding.py): declared, undeclared and broken.

The texts here were written for these tests. windows-1256 has no Persian yeh (U+06CC): Windows
writes it as the Arabic yeh (U+064A), so the pages below are written with the Arabic yeh and
decode to exactly the text they were encoded from.
"""

from __future__ import annotations

import charset_normalizer
import pytest

from newscrawl.extract.encoding import (
    count_replacement_chars,
    decode_html,
    decode_html_checked,
)

ARABIC_YEH = str.maketrans({"ی": "ي"})

PERSIAN = (
    "<html lang=\"fa\" dir=\"rtl\"><head><title>بازگشایی کتابخانه محله</title></head><body>"
    "<h1>بازگشایی کتابخانه محله</h1>"
    "<p>کتابخانه کوچک محله ما پس از دو ماه تعمیر، صبح شنبه دوباره باز شد. چراغ‌های تازه، "
    "قفسه‌های چوبی و گوشه‌ای برای کودکان به آن اضافه شده است.</p>"
    "<p>مسئول کتابخانه گفت که ژورنال‌های علمی و روزنامه‌های محلی هم از هفته آینده در دسترس "
    "خواهند بود و هر کس کارت عضویت داشته باشد می‌تواند تا سه کتاب را به خانه ببرد.</p>"
    "</body></html>"
).translate(ARABIC_YEH)

DARI = (
    "<html dir=\"rtl\"><head><title>پخته‌کاری سرک‌های پغمان</title></head><body>"
    "<p>شاروالی کابل روز دوشنبه اعلام کرد که سرک‌های ولسوالی پغمان پیش از فصل زمستان "
    "پخته‌کاری می‌شوند. باشندگان محل از این کار استقبال کردند و گفتند که رفت‌وآمد به "
    "مکتب‌ها و شفاخانه آسان‌تر خواهد شد.</p>"
    "<p>یک انجنیر شاروالی گفت کار از چهارراهی بازار آغاز می‌شود و تا ماه قوس ادامه دارد.</p>"
    "</body></html>"
).translate(ARABIC_YEH)

ENGLISH = (
    "<html><head><title>New office</title></head><body>"
    "<p>\u201cThe ministry\u2019s new office opens on Monday,\u201d the spokeswoman said \u2014 adding "
    "that the caf\u00e9 on the ground floor would open a week later\u2026</p></body></html>"
)


def test_persian_windows_1256_without_declaration_decodes_with_lang_fa():
    decoded = decode_html_checked(PERSIAN.encode("windows-1256"), "text/html", lang="fa")
    assert decoded.text == PERSIAN
    assert decoded.encoding == "cp1256"
    assert decoded.detected
    assert decoded.replacement_chars == 0


def test_dari_windows_1256_without_declaration_decodes_with_lang_fa_af():
    decoded = decode_html_checked(DARI.encode("windows-1256"), None, lang="fa-AF")
    assert (decoded.encoding, decoded.text, decoded.replacement_chars) == ("cp1256", DARI, 0)


@pytest.mark.parametrize(
    ("lang", "page"),
    [
        (None, PERSIAN),  # no language given: the table's code pages scored against each other
        ("en", PERSIAN),  # the profile's code pages do not fit the page
        ("de", DARI),
    ],
)
def test_windows_1256_is_found_without_the_right_language(lang, page):
    assert decode_html(page.encode("windows-1256"), "text/html", lang=lang) == ("cp1256", page)


def test_english_windows_1252_with_curly_quotes_decodes_with_lang_en():
    decoded = decode_html_checked(ENGLISH.encode("windows-1252"), "text/html", lang="en")
    assert (decoded.encoding, decoded.text, decoded.detected) == ("cp1252", ENGLISH, True)


def test_old_signature_still_returns_encoding_and_text():
    body = PERSIAN.encode("utf-8")
    assert decode_html(body, "text/html; charset=utf-8") == ("utf-8", PERSIAN)
    assert decode_html(body) == ("utf-8", PERSIAN)


def test_declared_cases_keep_their_order_and_never_run_the_detector(monkeypatch):
    def no_detector(*args: object, **kwargs: object) -> None:
        raise AssertionError("the detector ran for a declared or UTF-8 page")

    monkeypatch.setattr(charset_normalizer, "from_bytes", no_detector)
    cp1256 = PERSIAN.encode("windows-1256")
    # a header that says windows-1256 over UTF-8 bytes: the bytes win
    assert decode_html(PERSIAN.encode("utf-8"), "text/html; charset=windows-1256") == ("utf-8", PERSIAN)
    # a declared charset wins over the language hint
    assert decode_html(cp1256, "text/html; charset=windows-1256", lang="en") == ("cp1256", PERSIAN)
    # a wrong declaration that decodes is believed, as before (no detection)
    koi8 = decode_html_checked(cp1256, "text/html; charset=koi8-r", lang="fa")
    assert (koi8.encoding, koi8.detected, koi8.text) == ("koi8-r", False, cp1256.decode("koi8-r"))
    # a wrong declaration that does not decode falls back to UTF-8: U+FFFDs, counted
    wrong = decode_html_checked(cp1256, "text/html; charset=utf-8", lang="fa")
    assert (wrong.encoding, wrong.detected) == ("utf-8", False)
    assert wrong.replacement_chars > 0
    # the <meta> comes before the header
    meta = b'<html><head><meta charset="windows-1256"></head>' + cp1256
    assert decode_html(meta, "text/html; charset=iso-8859-1")[0] == "cp1256"
    # ASCII is ASCII
    assert decode_html(b"<p>plain</p>", None, lang="fa") == ("utf-8", "<p>plain</p>")


def test_undecodable_garbage_is_counted():
    # 0xFF never occurs in UTF-8 and no candidate code page reads 200 of them as text
    body = b"<html><body><p>" + b"\xff" * 200 + b"</p></body></html>"
    decoded = decode_html_checked(body, None, lang="fa")
    assert not decoded.detected
    assert decoded.replacement_chars == 200
    assert decoded.text == "<html><body><p>" + "\ufffd" * 200 + "</p></body></html>"


@pytest.mark.parametrize(("page", "word", "lang"), [(PERSIAN, "کودکان", "fa"), (ENGLISH, "ground", "en")])
def test_utf8_with_one_bad_byte_stays_utf8(page, word, lang):
    body = page.encode("utf-8").replace(word.encode(), word[:3].encode() + b"\xff" + word[3:].encode())
    decoded = decode_html_checked(body, None, lang=lang)
    # not a code page guessed from the bytes (what w3lib 2.6's html_to_unicode does): cp1252 here
    assert decoded.encoding == "utf-8"
    assert decoded.text == page.replace(word, word[:3] + "\ufffd" + word[3:])
    assert decoded.replacement_chars == 1


def test_a_declared_charset_that_does_not_decode_is_still_used_with_replacements():
    # ISO-8859-6 leaves 0xA1 undefined: the strict decode fails, and the page is read in its
    # declared code page with one U+FFFD (as w3lib 2.5's html_to_unicode read it), not as UTF-8
    text = (
        '<html><head><meta charset="iso-8859-6"><title>وزارة</title></head>'
        "<body><p>افتتحت الوزارة مكتبها الجديد يوم الاثنين.</p></body></html>"
    )
    body = text.encode("iso-8859-6").replace(
        "الجديد".encode("iso-8859-6"), "الج".encode("iso-8859-6") + b"\xa1" + "ديد".encode("iso-8859-6")
    )
    decoded = decode_html_checked(body, None, lang="ar")
    assert (decoded.encoding, decoded.detected, decoded.replacement_chars) == ("iso8859-6", False, 1)
    assert decoded.text == text.replace("الجديد", "الج\ufffdديد")


def test_count_replacement_chars():
    assert count_replacement_chars("a\ufffdb", None, "", "\ufffd\ufffd") == 3
    assert count_replacement_chars("clean text") == 0
    assert count_replacement_chars() == 0


@pytest.mark.parametrize(
    ("lang", "first"),
    [("fa", ["cp1256", "iso8859_6"]), ("fa-AF", ["cp1256", "iso8859_6"]), ("en-GB", ["cp1252", "iso8859_15"])],
)
def test_the_profiles_language_chooses_the_code_pages_tried_first(monkeypatch, lang, first):
    real = charset_normalizer.from_bytes
    tried: list[object] = []

    def spy(body: bytes, **kwargs: object) -> charset_normalizer.CharsetMatches:
        tried.append(kwargs.get("cp_isolation"))
        return real(body, **kwargs)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    decode_html(PERSIAN.encode("windows-1256"), None, lang=lang)
    assert tried[0] == first
    assert None not in tried  # never every code page
