"""Many sites from one replica: profiles that copy a shipped one and point at a replica site.

The replica serves each of its sites once; a test or benchmark that needs many sites (parallel and
distributed crawls) writes copies of a shipped profile, each with its own name and ``site`` (so
their articles are distinct in the database) and ``base_url`` the replica's URL, into a directory
that ``NEWSCRAWL_SITES_DIR`` then names::

    names = write_profiles(tmp_path, replica.urls["ict_en"], 6)   # fleet_00 ... fleet_05

Every copy crawls the same pages, so each stores as many articles as the replica site has.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

__all__ = ["fleet_name", "write_profiles"]


def fleet_name(number: int, prefix: str = "fleet") -> str:
    """The profile name of copy *number*: ``fleet_00``, ``fleet_01``, ..."""
    return f"{prefix}_{number:02d}"


def _set_key(text: str, key: str, value: str) -> str:
    """*text* with the top-level ``key = "..."`` line set to *value* (the key must be there)."""
    pattern = re.compile(rf'^{key} = ".*"$', re.MULTILINE)
    if not pattern.search(text):
        raise ValueError(f"the template has no top-level {key!r}")
    return pattern.sub(f'{key} = "{value}"', text, count=1)


def write_profiles(
    directory: Path, base_url: str, count: int, template: str = "ict_en", prefix: str = "fleet"
) -> list[str]:
    """Write *count* copies of the shipped profile *template* into *directory*; their names.

    Copy *n* is named :func:`fleet_name` and its ``site`` is ``<name>.replica.test``.
    """
    source = files("newscrawl.profiles").joinpath(f"{template}.toml").read_text("utf-8")
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(count):
        name = fleet_name(number, prefix)
        text = _set_key(source, "name", name)
        text = _set_key(text, "site", f"{name}.replica.test")
        text = _set_key(text, "base_url", base_url.rstrip("/"))
        (directory / f"{name}.toml").write_text(text, "utf-8")
        names.append(name)
    return names
