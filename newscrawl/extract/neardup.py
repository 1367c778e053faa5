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

Memory is bounded per page whatever its length (a 10 MB body used to cost 2 GB, a 60 MB one
about 12 GB: every kept shingle, repeats included, became a row of NUM_PERM values). The text
is normalised and hashed :data:`PIECE` characters at a time (cut before a space or newline,
where NFKC cannot join the two sides; the last ``SHINGLE_SIZE - 1`` letters carry over, so the
shingles across a cut are all there), repeated hashes are removed (``np.unique``: a MinHash is a
minimum over a *set*, so repeats never change it), and the distinct hashes are permuted
:data:`BLOCK` at a time into a running minimum. The signature is exactly the one of the whole
text at once, for every length, so stored fingerprints stay comparable; only a text with no
space or newline in :data:`PIECE` characters is cut in the middle of its letters, where at most
the ``SHINGLE_SIZE`` shingles of a combining sequence split by the cut can differ. Peak memory
is a few tens of MB above the text itself (``tests/unit/test_neardup.py`` bounds it for 20 MB).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator
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
    "BLOCK",
    "NUM_PERM",
    "PIECE",
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

#: Characters of text normalised and hashed at a time (memory, not results: see the docstring).
PIECE: Final = 1 << 18
#: Distinct shingle hashes permuted at a time: a (BLOCK x NUM_PERM) uint32 array, 2 MiB.
BLOCK: Final = 4096

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
    # As fingerprint_text("\n".join(parts)) without the joined copy: a newline is no letter and
    # NFKC never joins across it.
    return _fingerprint_parts(part for part in (title, lead, body) if part)


def fingerprint_text(text: str) -> Fingerprint | None:
    """The fingerprint of *text*; None when it has no letters or digits."""
    return _fingerprint_parts((text,))


def _fingerprint_parts(parts: Iterable[str]) -> Fingerprint | None:
    sig = _streamed_signature(_pieces(parts), SHINGLE_SIZE, SAMPLE)
    if sig is None:
        return None
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


def _pieces(parts: Iterable[str]) -> Iterator[str]:
    """*parts* cut into pieces of at most :data:`PIECE` characters, before a space or newline.

    NFKC of the pieces is NFKC of the whole: it never joins a character with a following ASCII
    space or newline. A run of PIECE characters with neither is cut where it reaches PIECE.
    """
    for part in parts:
        start = 0
        while len(part) - start > PIECE:
            end = start + PIECE
            cut = max(part.rfind(" ", start + 1, end), part.rfind("\n", start + 1, end))
            if cut <= start:
                cut = end
            yield part[start:cut]
            start = cut
        yield part[start:] if start else part


def _streamed_signature(pieces: Iterable[str], size: int, sample: int) -> Signature | None:
    """The signature of the sampled shingles of the pieces' text, one piece in memory at a time.

    Equal to ``_permute`` of the kept mixed shingle hashes of the whole text: the last
    ``size - 1`` code points of a piece start the next one's shingles, and a text of one
    shingle keeps it whatever its hash (as :func:`shingle_hashes` does).
    """
    minimum: Signature | None = None
    carry = np.empty(0, dtype=np.uint64)
    single: npt.NDArray[np.uint32] | None = None  # the first shingle, until a second one comes
    total = 0
    for piece in pieces:
        points = _code_points(piece).astype(np.uint64)
        if carry.size:
            points = np.concatenate((carry, points))
        if points.size < size:
            carry = points
            continue
        carry = points[points.size - size + 1 :]
        mixed = _fmix32(_window_hashes(points, size))
        total += mixed.size
        if total == 1:
            single = mixed
            continue
        if single is not None:
            mixed, single = np.concatenate((single, mixed)), None
        if sample > 1:
            mixed = mixed[(mixed & np.uint32(sample - 1)) == 0]
        minimum = _running_min(minimum, mixed)
    if total == 0 and carry.size:  # shorter than a shingle: one shingle of all of it
        single = _fmix32(_window_hashes(carry, size))
    if single is not None:
        minimum = _running_min(minimum, single)
    return minimum


def _running_min(minimum: Signature | None, mixed: npt.NDArray[np.uint32]) -> Signature | None:
    """*minimum* lowered by the permutations of the distinct *mixed* hashes (None: none yet)."""
    if mixed.size == 0:
        return minimum
    sig = _permute(mixed)
    return sig if minimum is None else np.minimum(minimum, sig)


def _shingles(text: str, size: int) -> npt.NDArray[np.uint32]:
    """32-bit hashes of every *size*-character shingle of normalised *text*."""
    return _window_hashes(_code_points(text).astype(np.uint64), size)


def _window_hashes(points: npt.NDArray[np.uint64], size: int) -> npt.NDArray[np.uint32]:
    """32-bit hashes of every *size*-point window of *points* (one window when fewer)."""
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
    """Minimum of ``a * h + b`` (mod 2**32) over the distinct mixed hashes, per permutation.

    Repeats are removed first and the hashes permuted :data:`BLOCK` at a time, so the
    temporary array is at most (BLOCK x NUM_PERM) whatever the number of hashes.
    """
    a, b = _permutations()
    distinct = np.unique(mixed)
    result: Signature | None = None
    for start in range(0, distinct.size, BLOCK):
        permuted: npt.NDArray[np.uint32] = distinct[start : start + BLOCK, np.newaxis] * a + b
        block: Signature = permuted.min(axis=0)
        result = block if result is None else np.minimum(result, block)
    assert result is not None, "no hashes to permute"
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
