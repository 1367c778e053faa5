"""``newscrawl --help`` imports no sub-command module, nor Scrapy, SQLAlchemy or trafilatura."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newscrawl.cli import COMMANDS, commands
from tests.cli.helpers import ROOT, newscrawl

HEAVY = ("scrapy", "sqlalchemy", "trafilatura", "twisted", "aiohttp")

# Run main() in a fresh interpreter and print which heavy packages and cli modules it imported.
PROBE = """
import json, sys
from newscrawl.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in %r})
commands = sorted(m for m in sys.modules if m.startswith("newscrawl.cli.") and "._" not in m)
print(json.dumps([loaded, commands]), file=sys.stderr)
""" % (HEAVY,)  # noqa: UP031


def imported(*argv: str) -> tuple[list[str], list[str]]:
    """(heavy packages, newscrawl.cli command modules) imported by ``newscrawl argv...``."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    loaded, commands = json.loads(result.stderr.strip().splitlines()[-1])
    return loaded, commands


def test_help_imports_nothing_heavy() -> None:
    assert imported("--help") == ([], [])


def test_a_command_imports_only_its_own_module() -> None:
    loaded, commands = imported("dates", "--help")
    assert commands == ["newscrawl.cli.dates"]
    assert loaded == []  # the date parser needs none of them either


def test_crawl_help_imports_nothing_heavy() -> None:
    # the crawls run in child processes; the command itself only reads their stats
    # (newscrawl.health.outcome), so its help and its usage errors need no Scrapy or SQLAlchemy
    loaded, commands = imported("crawl", "--help")
    assert "newscrawl.cli.crawl" in commands
    assert loaded == []


def test_help_lists_every_command_with_its_summary() -> None:
    result = newscrawl("--help")
    assert result.returncode == 0
    listed = " ".join(result.stdout.split())
    for name, entry in commands().items():
        assert f"{name} {entry.summary}" in listed


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_its_own_help(name: str) -> None:
    result = newscrawl(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: newscrawl {name} [-h]")
