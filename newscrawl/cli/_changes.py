"""What ``newscrawl changes``, ``feed`` and ``notify`` share: their ``--site`` and ``--min-score``."""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from newscrawl.changes.score import ALERT_THRESHOLD
from newscrawl.cli._sites import load_site_profiles, resolve_sites
from newscrawl.db.models import Article

__all__ = ["add_change_arguments", "selected_sites"]


def _score(value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        score = -1.0
    if not 0.0 <= score <= 1.0:
        raise argparse.ArgumentTypeError(f"a score is a number from 0 to 1, not {value!r}")
    return score


def add_change_arguments(parser: argparse.ArgumentParser) -> None:
    """``--site`` (repeatable) and ``--min-score``."""
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help="a profile name or a site's domain (repeatable; default: every site)",
    )
    parser.add_argument(
        "--min-score",
        type=_score,
        default=ALERT_THRESHOLD,
        metavar="X",
        help=f"only changes scored at least X, 0..1 (default {ALERT_THRESHOLD})",
    )


def selected_sites(session: Session, values: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``(sites, langs)`` that the ``--site`` *values* select (empty: every one).

    Resolved like every command's ``--site`` (``newscrawl.cli._sites``); the filter is "site in
    sites and lang in langs", as in ``newscrawl export`` (whose rules it applies).
    """
    if not values:
        return (), ()
    from newscrawl.cli.export import _site_filter

    profiles = load_site_profiles()
    choices = resolve_sites(
        values,
        profiles,
        stored=lambda value: (
            session.scalar(select(Article.id).where(Article.site == value).limit(1)) is not None
        ),
    )
    return _site_filter(choices, (), profiles)
