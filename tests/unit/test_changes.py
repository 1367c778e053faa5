"""Word-level diffs and significance scores (newscrawl.changes), on hand-written texts.

The expected bands come from the scoring rule in newscrawl/changes/score.py applied by hand:
text component sqrt(share of words changed), title 0.5, date 0.4, number 0.6, name 0.4,
combined as 1 - prod(1 - c).
"""

from __future__ import annotations

import pytest

from newscrawl.changes.diff import word_diff
from newscrawl.changes.render import render_ops
from newscrawl.changes.score import ALERT_THRESHOLD, Snapshot, compare, removal

FILLER = " ".join(f"w{i}" for i in range(96))  # 96 words that never change


def snap(
    body: str,
    title: str = "Ministry statement",
    date: str | None = "2024-05-01",
    volatile: tuple[str, ...] = (),
) -> Snapshot:
    return Snapshot(title=title, lead=None, body=body, published_at=date, volatile=volatile)


def test_a_real_rewording_is_significant():
    old = snap("The minister welcomed the talks and called them constructive. " + FILLER)
    new = snap(
        "The minister criticised the talks and called them a failure of diplomacy. " + FILLER
    )
    change = compare(old, new)
    # welcomed -> criticised (1 word), constructive. -> a failure of diplomacy. (4 words):
    # 5 of 108 words, sqrt(0.046) = 0.21; no number, no name, same title and date.
    assert 0.2 <= change.score <= 0.25
    assert change.score >= ALERT_THRESHOLD
    assert change.reasons == ["body: 5% of words changed"]


def test_a_changed_number_is_significant_and_named():
    old = snap("Aid reached 120 families in the province. " + FILLER)
    new = snap("Aid reached 150 families in the province. " + FILLER)
    change = compare(old, new)
    # one word of 103 (sqrt = 0.1) and a number (0.6): 1 - 0.9 * 0.4 = 0.64.
    assert 0.6 <= change.score <= 0.7
    assert "number changed: 120 → 150" in change.reasons


def test_a_changed_name_counts():
    change = compare(
        snap("Mr Rahimi met the envoy. " + FILLER), snap("Mr Karimi met the envoy. " + FILLER)
    )
    assert "name changed: Rahimi → Karimi" in change.reasons
    assert change.score >= 0.4


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("وزير امور خارجه گفت كه", "وزیر امور خارجه گفت که"),  # Arabic yeh/kaf -> Persian
        ("آنها می‌خواهند", "آنها میخواهند"),  # ZWNJ dropped
        ("آنها میخواهند", "آنها می خواهند"),  # ZWNJ become a space: the word split
        ("در سال ۱۴۰۳ و ٢٠ روز", "در سال 1403 و 20 روز"),  # Persian/Arabic digits -> Latin
        ("Hello,   world.\n\nAgain", "Hello world!  Again"),  # spacing and punctuation
    ],
)
def test_normalisation_only_changes_score_zero(old, new):
    change = compare(snap(old), snap(new))
    assert change.score == 0
    assert change.reasons == ["normalisation, punctuation or spacing only"]


def test_volatile_changes_score_zero_and_stay_in_the_diff():
    old = snap("Statement text here. Views: 1,204 " + FILLER, volatile=("Views: 1,204",))
    new = snap("Statement text here. Views: 1,377 " + FILLER, volatile=("Views: 1,377",))
    change = compare(old, new)
    assert change.score == 0
    assert change.reasons == ["volatile regions only"]
    assert {"-": "1,204", "+": "1,377", "k": "volatile"} in change.diff["text"]
    plain = render_ops(change.diff["text"], new.text, "plain")
    assert "Views: (~{-1,204-}[+1,377+]~)" in plain


def test_a_volatile_span_does_not_hide_a_real_change_beside_it():
    old = snap("Views: 10 Aid reached 120 families " + FILLER, volatile=("Views: 10",))
    new = snap("Views: 11 Aid reached 150 families " + FILLER, volatile=("Views: 11",))
    change = compare(old, new)
    assert "number changed: 120 → 150" in change.reasons
    assert change.score > 0.6


def test_title_and_date_changes():
    change = compare(
        snap(FILLER), snap(FILLER, title="Ministry denies statement", date="2024-05-02")
    )
    # title 0.5 and date 0.4: 1 - 0.5 * 0.6 = 0.7
    assert change.score == pytest.approx(0.7)
    assert change.reasons == ["title changed", "date changed: 2024-05-01 → 2024-05-02"]
    assert change.diff["date"] == ["2024-05-01", "2024-05-02"]


def test_removal_scores_one():
    assert (removal().score, removal().reasons) == (1.0, ["removed"])


def test_moved_passage_is_detected():
    passage = "The talks will resume next week in Geneva."
    ops = word_diff(f"{passage} {FILLER}", f"{FILLER} {passage}")
    assert [op.get("k") for op in ops if "=" not in op] == ["moved", "moved"]
    change = compare(snap(f"{passage} {FILLER}"), snap(f"{FILLER} {passage}"))
    assert "passage moved (8 words)" in change.reasons
    # a quarter of 8 words of 104 count: sqrt(2/104) = 0.14, below a rewording of the same size
    assert change.score < ALERT_THRESHOLD


def test_equal_runs_are_counts_and_render_from_the_new_text():
    ops = word_diff("a b c d", "a b x d")
    assert ops == [{"=": 2}, {"-": "c", "+": "x"}, {"=": 1}]
    assert render_ops(ops, "a b x d") == "a b {-c-}[+x+] d"
    assert (
        render_ops(ops, "a b x d", "html")
        == 'a b <del class="change">c</del><ins class="change">x</ins> d'
    )
