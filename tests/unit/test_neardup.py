"""Near-duplicate fingerprints (newscrawl.extract.neardup): parts, and a labelled set.

The labelled set is generated here, deterministically (``random.Random(seed)``), from the
replica's English and Persian text generators: pairs of near-copies of one article (a few words
changed, sentences reordered or dropped, a paragraph added, a dateline prefix, share/footer
lines, another site's title suffix and layout, Persian spelling variants) against pairs of
different articles written from the same templates (same vocabulary; same topic and country;
or even the same people, places and topic with other sentences and figures). At the default
threshold the index must find the copies (recall >= 0.9) and little else (precision >= 0.95).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from random import Random
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash

from newscrawl.db.neardup import DEFAULT_THRESHOLD
from newscrawl.extract import neardup
from newscrawl_replica import text_en, text_fa
from newscrawl_replica.textgen import between

PAIRS_PER_LANGUAGE = 600
SEED = 20240604

# --- the labelled set ----------------------------------------------------------------------

EN_PREFIXES = (
    "TEHRAN, Dec. 5 (IRNA) --",
    "Tehran (ICTNA) -",
    "TEHRAN (Tasnim) –",
    "IRNA – Tehran –",
)
EN_FOOTERS = (
    "Share: Facebook X Telegram WhatsApp",
    "Read more: ICT Ministry news",
    "© 2024 Ministry of ICT. All rights reserved.",
    "Follow us on Telegram and Instagram for the latest news.",
    "Print this page | Send to a friend",
)
EN_WORDS = ("new", "major", "also", "recently", "further", "national", "important")
FA_PREFIXES = ("به گزارش خبرگزاری ایرنا،", "تهران - ایرنا -", "به گزارش ایسنا،")
FA_FOOTERS = (
    "اشتراک‌گذاری: تلگرام واتس‌اپ",
    "کلیه حقوق این سایت محفوظ است.",
    "اخبار مرتبط: وزارت ارتباطات",
    "ما را در تلگرام دنبال کنید.",
)
FA_WORDS = ("جدید", "مهم", "همچنین", "ملی")
SENTENCE_END = re.compile(r"(?<=[.”»])\s+")
EDITS = ("words", "reorder", "drop", "add", "prefix", "footer", "site")


@dataclass(frozen=True)
class Language:
    """One language's generator and edit material."""

    name: str
    story: Callable[[Random], Any]
    article: Callable[[Random, Any], list[str]]
    paragraph: Callable[[Random, Any], str]
    prefixes: tuple[str, ...]
    footers: tuple[str, ...]
    words: tuple[str, ...]
    site_suffix: str


def _en_story(rng: Random) -> text_en.EnStory:
    return text_en.story(rng, text_en.ICT, between(rng, 2006, 2025))


def _en_article(rng: Random, st: text_en.EnStory) -> list[str]:
    vocab = text_en.ICT
    return [
        text_en.title(rng, vocab, st),
        text_en.lead(rng, vocab, st),
        *text_en.paragraphs(rng, vocab, st, between(rng, 3, 12)),
    ]


def _fa_article(rng: Random, st: text_fa.FaStory) -> list[str]:
    vocab = text_fa.ICT_FA
    return [
        text_fa.title(rng, vocab, st),
        text_fa.lead(rng, vocab, st),
        *text_fa.paragraphs(rng, vocab, st, between(rng, 3, 12)),
    ]


ENGLISH = Language(
    "en",
    _en_story,
    _en_article,
    lambda rng, st: text_en.paragraphs(rng, text_en.ICT, st, 2)[1],
    EN_PREFIXES,
    EN_FOOTERS,
    EN_WORDS,
    " - IRNA English",
)
PERSIAN = Language(
    "fa",
    lambda rng: text_fa.story(rng, text_fa.ICT_FA),
    _fa_article,
    lambda rng, st: text_fa.paragraphs(rng, text_fa.ICT_FA, st, 2)[1],
    FA_PREFIXES,
    FA_FOOTERS,
    FA_WORDS,
    " - ایرنا",
)


def near_copy(rng: Random, lang: Language, parts: list[str], st: Any) -> list[str]:
    """The article *parts* (title, lead, paragraphs…) after 1-3 random edits."""
    title, lead, *paragraphs = parts
    for edit in rng.sample(EDITS, between(rng, 1, 3)):
        if edit == "words":
            for _ in range(between(rng, 2, 5)):
                i = rng.randrange(len(paragraphs))
                words = paragraphs[i].split()
                words[rng.randrange(len(words))] = rng.choice(lang.words)
                paragraphs[i] = " ".join(words)
        elif edit == "reorder":
            if len(paragraphs) > 2 and rng.random() < 0.5:
                i, j = rng.sample(range(len(paragraphs)), 2)
                paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
            else:
                i = rng.randrange(len(paragraphs))
                sentences = SENTENCE_END.split(paragraphs[i])
                rng.shuffle(sentences)
                paragraphs[i] = " ".join(sentences)
        elif edit == "drop":
            i = rng.randrange(len(paragraphs))
            sentences = SENTENCE_END.split(paragraphs[i])
            if len(sentences) > 1:
                sentences.pop(rng.randrange(len(sentences)))
                paragraphs[i] = " ".join(sentences)
            elif len(paragraphs) > 3:
                paragraphs.pop(i)
        elif edit == "add":
            paragraphs.insert(rng.randint(0, len(paragraphs)), lang.paragraph(rng, st))
        elif edit == "prefix":
            paragraphs[0] = f"{rng.choice(lang.prefixes)} {paragraphs[0]}"
        elif edit == "footer":
            paragraphs += rng.sample(lang.footers, between(rng, 1, 3))
        elif edit == "site":  # another site: its title suffix, the lead as the first paragraph
            title += lang.site_suffix
            if rng.random() < 0.5:
                paragraphs, lead = [lead, *paragraphs], ""
    if lang is PERSIAN and rng.random() < 0.5:  # another site's Persian spelling
        joiner = rng.choice((" ", ""))
        title, lead, *paragraphs = (
            p.replace("\u200c", joiner).replace("ی", "ي").replace("ک", "ك")
            for p in (title, lead, *paragraphs)
        )
    return [title, lead, *paragraphs]


def other_article(rng: Random, lang: Language, st: Any) -> list[str]:
    """A different article from the same templates: same vocabulary, topic or story."""
    kind = rng.choice(("vocabulary", "topic", "story"))
    if kind == "vocabulary":
        other = lang.story(rng)
    elif kind == "topic":
        other = replace(lang.story(rng), topic=st.topic, country=st.country)
    else:  # same people, places, topic: other sentences, figures and quotes
        other = replace(st)
    return lang.article(rng, other)


def labelled_pairs(lang: Language, count: int, seed: int) -> list[tuple[str, str, bool]]:
    """*count* near-copy pairs and *count* different-article pairs: (text, text, is_copy)."""
    rng = Random(f"{seed}:{lang.name}")
    pairs: list[tuple[str, str, bool]] = []
    for _ in range(count):
        st = lang.story(rng)
        original = lang.article(rng, st)
        pairs.append(
            ("\n".join(original), "\n".join(near_copy(rng, lang, list(original), st)), True)
        )
        pairs.append(("\n".join(original), "\n".join(other_article(rng, lang, st)), False))
    return pairs


def found(a: str, b: str, threshold: float) -> bool:
    """What the index decides: a shared LSH band, then similarity >= threshold."""
    fa, fb = neardup.fingerprint_text(a), neardup.fingerprint_text(b)
    assert fa is not None and fb is not None
    shared = set(fa.bands) & set(fb.bands)
    return bool(shared) and neardup.similarity(fa.signature, fb.signature) >= threshold


def precision_recall(pairs: list[tuple[str, str, bool]], threshold: float) -> tuple[float, float]:
    decided = [(found(a, b, threshold), is_copy) for a, b, is_copy in pairs]
    true_pos = sum(1 for hit, is_copy in decided if hit and is_copy)
    false_pos = sum(1 for hit, is_copy in decided if hit and not is_copy)
    copies = sum(1 for _, is_copy in decided if is_copy)
    return true_pos / max(true_pos + false_pos, 1), true_pos / copies


@pytest.mark.parametrize("lang", [ENGLISH, PERSIAN], ids=lambda lang: lang.name)
def test_labelled_set_precision_and_recall_at_the_default_threshold(lang: Language) -> None:
    pairs = labelled_pairs(lang, PAIRS_PER_LANGUAGE, SEED)
    precision, recall = precision_recall(pairs, DEFAULT_THRESHOLD)
    print(
        f"\nnear-duplicates {lang.name}: threshold {DEFAULT_THRESHOLD}, {len(pairs)} pairs: "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.95, f"precision {precision:.3f}"
    assert recall >= 0.9, f"recall {recall:.3f}"


# --- the parts -----------------------------------------------------------------------------


def test_normalize_keeps_only_letters_and_digits_in_one_form() -> None:
    assert neardup.normalize("Dr. Sadeghi’s 5G-Plan: ONE, two!") == "drsadeghis5gplanonetwo"
    # Persian letter forms, Persian and Arabic-Indic digits, ZWNJ, bidi marks, tatweel, harakat.
    assert neardup.normalize("\u200fمي\u200cشود ك ۱۲ ٣ اـطلاعات عِلم") == "میشودک123اطلاعاتعلم"
    assert neardup.normalize("می شود") == neardup.normalize("می‌شود") == neardup.normalize("میشود")
    # Arabic presentation forms (legacy encodings) become the letters (NFKC).
    assert neardup.normalize("\ufefb") == "لا"
    assert neardup.normalize(" .,;— ") == ""


def test_signature_is_datasketch_minhash_update_batch() -> None:
    text = "\n".join(_en_article(Random(1), _en_story(Random(2))))
    hashes = neardup.shingle_hashes(text)
    reference = MinHash(
        num_perm=neardup.NUM_PERM, seed=neardup.SEED, scheme=neardup.SCHEME, hashfunc=int
    )
    reference.update_batch(hashes.tolist())
    sig = neardup.signature(hashes)
    assert sig is not None
    assert np.array_equal(sig, reference.hashvalues)
    fp = neardup.fingerprint_text(text)
    assert fp is not None and np.array_equal(fp.signature, reference.hashvalues)
    assert neardup.to_minhash(sig).jaccard(reference) == 1.0


def test_sampling_is_consistent_and_keeps_about_one_in_sample() -> None:
    text = "\n".join(_en_article(Random(3), _en_story(Random(4))))
    every = neardup.shingle_hashes(text, sample=1)
    kept = neardup.shingle_hashes(text)
    assert set(kept.tolist()) <= set(every.tolist())
    assert 0.15 < len(kept) / len(every) < 0.35
    # A text shorter than a shingle is one shingle, always kept.
    assert len(neardup.shingle_hashes("abc")) == 1


def test_fingerprint_of_an_article_and_its_band_keys() -> None:
    fp = neardup.fingerprint("Title", "Lead.", "Body paragraph one.\n\nTwo.")
    assert fp is not None
    assert fp.signature.dtype == np.uint32 and len(fp.signature) == neardup.NUM_PERM
    assert len(fp.bands) == neardup.BANDS
    for band, key in enumerate(fp.bands):
        assert re.fullmatch(rf"{band}:[0-9a-f]{{16}}", key)
        assert len(key) <= 48  # lsh_bands.band_key is String(48)
    same = neardup.fingerprint_text("Title\nLead.\nBody paragraph one.\n\nTwo.")
    assert same is not None and same.bands == fp.bands
    assert neardup.fingerprint(None, None, "…  ") is None


def test_similarity_and_packing() -> None:
    a = neardup.fingerprint_text("The minister met the ambassador of Armenia in Tehran today.")
    b = neardup.fingerprint_text("Rural villages were connected to the national network in Gilan.")
    assert a is not None and b is not None
    assert neardup.similarity(a.signature, a.signature) == 1.0
    assert neardup.similarity(a.signature, b.signature) < 0.2
    assert neardup.similarity(a.signature, a.signature[:8]) == 0.0
    packed = a.packed()
    assert len(packed) == 8 * neardup.NUM_PERM
    assert np.array_equal(neardup.unpack(packed), a.signature)


def test_persian_spelling_variants_do_not_change_the_fingerprint() -> None:
    text = "\n".join(_fa_article(Random(5), text_fa.story(Random(6), text_fa.ICT_FA)))
    variant = text.replace("\u200c", " ").replace("ی", "ي").replace("ک", "ك")
    variant = variant.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    fp, fv = neardup.fingerprint_text(text), neardup.fingerprint_text(variant)
    assert fp is not None and fv is not None
    assert np.array_equal(fp.signature, fv.signature)


def test_a_large_repetitive_text_fingerprints_with_bounded_memory() -> None:
    import tracemalloc

    paragraphs = [" ".join(_en_article(Random(seed), _en_story(Random(seed + 1)))) for seed in (7, 9)]
    unit = "\n\n".join(paragraphs)
    text = "\n\n".join([unit] * (20_000_000 // len(unit) + 1))  # about 20 MB, the same two paragraphs
    assert len(text) >= 20_000_000
    tracemalloc.start()
    try:
        fp = neardup.fingerprint("Title", "Lead.", text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # before: about 200 bytes per character (4 GB here); the bound is generous, not a timing
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    # MinHash is a minimum over the set of shingles: repeating the text changes nothing
    once = neardup.fingerprint("Title", "Lead.", f"{unit}\n\n{unit}")
    assert fp is not None and once is not None
    assert np.array_equal(fp.signature, once.signature) and fp.bands == once.bands
    # and it is datasketch's MinHash of the distinct kept shingles
    reference = MinHash(num_perm=neardup.NUM_PERM, seed=neardup.SEED, scheme=neardup.SCHEME, hashfunc=int)
    reference.update_batch(sorted(set(neardup.shingle_hashes("Title\nLead.\n" + unit + "\n\n" + unit).tolist())))
    assert np.array_equal(fp.signature, reference.hashvalues)
