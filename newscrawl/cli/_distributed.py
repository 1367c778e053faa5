"""What the cluster commands (``worker``, ``enqueue``, ``scheduler``) share."""

from __future__ import annotations

import argparse
import importlib.util

from newscrawl.cli._errors import usage_error

__all__ = ["add_site_arguments", "require_celery"]


def require_celery(command: str) -> None:
    """A usage error (one line) when Celery, the ``distributed`` extra, is not installed."""
    if importlib.util.find_spec("celery") is None:
        raise usage_error(
            f"'{command}' needs Celery: pip install 'newscrawl[distributed]' "
            "(from a clone: pip install -e '.[distributed]')"
        )


def add_site_arguments(parser: argparse.ArgumentParser) -> None:
    """``SITE...`` and ``--all``, as ``newscrawl crawl`` takes them."""
    parser.add_argument(
        "sites",
        nargs="*",
        metavar="SITE",
        help="profile names (ict_en) or domains (ict.gov.ir: every profile of that site)",
    )
    parser.add_argument("--all", action="store_true", help="every profile")
