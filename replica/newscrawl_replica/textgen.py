"""Fast, deterministic helpers shared by the text generators (:mod:`.text_en`, :mod:`.text_fa`).

``random.Random.choice``/``randint`` cost about a microsecond each; generating 20,000 articles makes
millions of picks, so these use one ``random()`` call per pick instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def pick(rng: Random, seq: Sequence[T]) -> T:
    """One element of ``seq``."""
    return seq[int(rng.random() * len(seq))]


def between(rng: Random, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi]``."""
    return lo + int(rng.random() * (hi - lo + 1))


class Slots(dict[str, str]):
    """Template slots: fixed values in the dict, the others drawn on demand for each occurrence.

    ``template.format_map(slots)`` asks only for the slots the template uses.
    """

    def __init__(self, fixed: dict[str, str], dynamic: dict[str, Callable[[], str]]) -> None:
        super().__init__(fixed)
        self._dynamic = dynamic

    def __missing__(self, key: str) -> str:
        return self._dynamic[key]()
