"""Near-duplicate fingerprints: shingles, MinHash signatures, LSH band keys, similarity (pure).

The same press release is often published under several URLs or on several sites, lightly
edited or wrapped in other boilerplate. Its fingerprint is a MinHash signature of the set of
character shingles of its normalised text; the share of equal signature values estimates the
Jaccard similarity of two texts' shingle sets. The signature's bands are the LSH keys that
``newscrawl.db.neardup`` indexes, so that a look-up reads only the articles sharing a band.

The parameters were chosen on the labelled set of ``tests/unit/test_neardup.py`` (near-copies
against different articles from the same templates, English and Persian):

- Text: title, lead and body; NFKC, lower case, Persian letter forms, every decimal digit as
  ASCII, and nothing else but letters and digits: spaces, punctuation, ZWNJ and diacritics are
  dropped. Without word boundaries ``می‌شود``, ``می شود`` and ``میشود`` are the same text; word
  3-shingles could not separate Persian near-copies from same-template articles at all.
- Shingles: :data:`SHINGLE_SIZE` consecutive characters, hashed by numpy over the whole text at
  once. One in :data:`SAMPLE` is kept, chosen by its hash, so two texts keep the same part of
  what they share (consistent sampling): a quarter of the cost for the same precision/recall.
- Signature: :data:`NUM_PERM` permutations of datasketch's ``affine32`` scheme, seed
  :data:`SEED`: the values ``datasketch.MinHash.update_batch`` gives for the same shingle
  hashes (a unit test checks it), computed as one numpy matrix operation.
- LSH: :data:`BANDS` bands of :data:`ROWS` values; two texts become candidates with probability
  ``1 - (1 - J**ROWS)**BANDS``: 0.22 at J = 0.5, 0.63 at 0.65, 0.96 at 0.8, 0.012 at 0.3.

Why 128 permutations and bands of 6 rows (until 2026-12 it was 64 and 16 bands of 4): the
replica's articles are written from shared templates, so two unrelated articles have an
estimated Jaccard similarity of 0.11 on average and 0.2-0.35 for one pair in a hundred. With 4
rows per band such a pair shares a band with probability 2-12 %, so every new article had a
number of candidates proportional to the archive (measured with ``bench.neardup_growth`` on
ict_en: 905 stored candidates per batch of 200 at 4,000 stored articles, 8,668 at 20,000), and
the index's cost per article grew with the archive. With 6 rows a pair at J = 0.3 collides with
probability 1.2 % instead of 12 %: 5x fewer candidates on the replica (175 per batch at
4,000 stored, 1,732 at 20,000). The 64-value estimate was
also too noisy at the threshold (standard error 0.06 at J = 0.5): it linked unrelated replica
articles (169 of 4,000 ict_en articles at 20,000 stored); 128 values halve the variance. The
labelled set gives precision/recall 1.000/0.985 (English) and 0.998/0.997 (Persian), against
1.000/0.997 and 0.995/0.998 before: copies at J just above the threshold are found less often,
different articles are linked less often. A signature is 128 values (1 KiB packed), 16 keys.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from newscrawl.extract.persian import normalize_persian

if TYPE_CHECKING:
    from datasketch import MinHash

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SAMPLE",
    "SCHEME",
    "SEED",
    "SHINGLE_SIZE",
    "Fingerprint",
    "band_keys",
    "fingerprint",
    "fingerprint_text",
    "normalize",
    "pack",
    "shingle_hashes",
    "signature",
    "similarity",
    "to_minhash",
    "unpack",
]

#: Characters per shingle.
SHINGLE_SIZE: Final = 11
#: One shingle in SAMPLE (a power of two) goes into the signature.
SAMPLE: Final = 4
#: MinHash permutations (signature length).
NUM_PERM: Final = 128
#: LSH bands and rows per band: the bands are the first ``BANDS * ROWS`` (96) values; the
#: similarity uses all NUM_PERM.
BANDS: Final = 16
ROWS: Final = 6
#: Seed of datasketch's permutation parameters; changing it invalidates stored signatures.
SEED: Final = 1
#: datasketch's permutation scheme: 32-bit affine permutations after a MurmurHash3 mix.
SCHEME: Final = "affine32"

Signature = npt.NDArray[np.uint32]

# Polynomial hash of code points modulo 2**64 (an odd multiplier), folded to 32 bits.
_POLY: Final = np.uint64(0x9E3779B97F4A7C15)
_LOW32: Final = np.uint64(0xFFFFFFFF)
_SHIFT32: Final = np.uint64(32)
# MurmurHash3's 32-bit finalizer, which datasketch applies before its permutations.
_FMIX32: Final = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)
_TABLE_SIZE: Final = 0x10000
_TATWEEL: Final = 0x0640  # stretches a word; a letter for isalnum(), not for a reader


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A text's MinHash signature and its LSH band keys."""

    signature: Signature
    bands: tuple[str, ...]

    def packed(self) -> bytes:
        """The signature as the ``fingerprints`` table stores it (see :func:`pack`)."""
        return pack(self.signature)


def fingerprint(title: str | None, lead: str | None, body: str | None) -> Fingerprint | None:
    """The fingerprint of an article: title, lead and body as one text."""
    return fingerprint_text("\n".join(part for part in (title, lead, body) if part))


def fingerprint_text(text: str) -> Fingerprint | None:
    """The fingerprint of *text*; None when it has no letters or digits."""
    mixed = _mixed_sample(text, SHINGLE_SIZE, SAMPLE)
    if mixed.size == 0:
        return None
    sig = _permute(mixed)
    return Fingerprint(sig, band_keys(sig))


def normalize(text: str) -> str:
    """The letters and digits of *text* as fingerprints see them (for tests and debugging)."""
    return _code_points(text).astype("<u4").tobytes().decode("utf-32-le")


def shingle_hashes(
    text: str, size: int = SHINGLE_SIZE, sample: int = SAMPLE
) -> npt.NDArray[np.uint32]:
    """32-bit hashes of the *size*-character shingles of normalised *text*, 1 in *sample* kept.

    A shingle is kept when its mixed hash is divisible by *sample*, so two texts keep the same
    subset of the shingles they share and the Jaccard similarity of the kept sets estimates
    that of the full sets. A text shorter than *size* is one shingle (always kept); an empty
    text has none. Repeated shingles repeat.
    """
    hashes = _shingles(text, size)
    if sample > 1 and hashes.size > 1:
        hashes = hashes[(_fmix32(hashes) & np.uint32(sample - 1)) == 0]
    return hashes


def signature(hashes: npt.NDArray[np.uint32]) -> Signature | None:
    """The MinHash signature of a set of 32-bit hashes; None for an empty set.

    Equal to ``MinHash(NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int)`` after
    ``update_batch(hashes)``: a MurmurHash3 mix, ``a * h + b`` modulo 2**32 per permutation,
    and the minimum over the set.
    """
    if hashes.size == 0:
        return None
    return _permute(_fmix32(hashes))


def band_keys(sig: Signature) -> tuple[str, ...]:
    """The LSH keys of a signature: ``"<band>:<16 hex digits hashing the band's values>"``."""
    raw = np.ascontiguousarray(sig, dtype="<u4").tobytes()
    width = ROWS * 4
    digests = (
        hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).hexdigest()
        for band in range(BANDS)
    )
    return tuple(f"{band}:{digest}" for band, digest in enumerate(digests))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity: the share of equal values (as ``MinHash.jaccard``).

    Signatures of different lengths (made with other parameters) are not comparable: 0.0.
    """
    if len(a) != len(b) or len(a) == 0:
        return 0.0
    return float(np.count_nonzero(a == b)) / float(len(a))


def pack(sig: Signature) -> bytes:
    """A signature as little-endian unsigned 64-bit integers (the ``fingerprints`` column)."""
    return np.asarray(sig, dtype="<u8").tobytes()


def unpack(data: bytes) -> Signature:
    """The signature that :func:`pack` stored."""
    values: Signature = np.frombuffer(data, dtype="<u8").astype(np.uint32)
    return values


def to_minhash(sig: Signature) -> MinHash:
    """A datasketch ``MinHash`` holding *sig*, for datasketch's own tools."""
    from datasketch import MinHash  # imported here: it brings scipy (see _permutations)

    return MinHash(seed=SEED, hashvalues=sig, scheme=SCHEME)


def _mixed_sample(text: str, size: int, sample: int) -> npt.NDArray[np.uint32]:
    """``_fmix32(shingle_hashes(text, size, sample))``, mixing each hash once."""
    mixed = _fmix32(_shingles(text, size))
    if sample > 1 and mixed.size > 1:
        mixed = mixed[(mixed & np.uint32(sample - 1)) == 0]
    return mixed


def _shingles(text: str, size: int) -> npt.NDArray[np.uint32]:
    """32-bit hashes of every *size*-character shingle of normalised *text*."""
    points = _code_points(text).astype(np.uint64)
    if points.size == 0:
        return np.empty(0, dtype=np.uint32)
    count = max(points.size - size + 1, 1)
    hashes = points[:count].copy()
    for offset in range(1, min(size, points.size)):
        np.multiply(hashes, _POLY, out=hashes)
        np.add(hashes, points[offset : offset + count], out=hashes)
    folded: npt.NDArray[np.uint32] = ((hashes ^ (hashes >> _SHIFT32)) & _LOW32).astype(np.uint32)
    return folded


def _permute(mixed: npt.NDArray[np.uint32]) -> Signature:
    """Minimum of ``a * h + b`` (mod 2**32) over the mixed hashes, per permutation."""
    a, b = _permutations()
    permuted: npt.NDArray[np.uint32] = mixed[:, np.newaxis] * a + b
    result: Signature = permuted.min(axis=0)
    return result


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer, element-wise (wrapping multiplication)."""
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    mixed: npt.NDArray[np.uint32] = values ^ (values >> s3)
    return mixed


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of *text* after NFKC, mapped through :func:`_char_table`."""
    points = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le"), dtype=np.uint32)
    mapped = _char_table()[np.minimum(points, _TABLE_SIZE - 1)]
    mapped[points >= _TABLE_SIZE] = 0
    kept: npt.NDArray[np.uint32] = mapped[mapped != 0]
    return kept


@cache
def _permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """datasketch's permutation parameters ``(a, b)`` for :data:`NUM_PERM` and :data:`SEED`.

    Drawn here as ``datasketch.MinHash._init_permutations`` (2.x) draws them for the affine32
    scheme, rather than by making a MinHash: importing datasketch imports its LSH module and
    with it scipy, 56 MB and half a second in every crawl process and writer process for two
    arrays of 64 numbers. ``tests/unit/test_neardup.py`` checks the signatures against
    datasketch's own ``MinHash.update_batch``.
    """
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


@cache
def _char_table() -> npt.NDArray[np.uint32]:
    """Code point -> normalised code point, or 0 to drop it (built once, in about 0.1 s).

    Letters and digits are kept: lower case, Persian letter forms (``normalize_persian``), any
    decimal digit as ASCII. Everything else is dropped: spaces, punctuation, symbols, ZWNJ and
    bidi marks, combining marks (Arabic harakat), the tatweel, and (by ``_code_points``) code
    points outside the Basic Multilingual Plane.
    """
    table = np.zeros(_TABLE_SIZE, dtype=np.uint32)
    for code in range(_TABLE_SIZE):
        char = chr(code)
        if code == _TATWEEL or not char.isalnum():
            continue
        if char.isdecimal():
            mapped = str(unicodedata.decimal(char))
        else:
            mapped = normalize_persian(char).lower()
        table[code] = ord(mapped) if len(mapped) == 1 else code
    return table
