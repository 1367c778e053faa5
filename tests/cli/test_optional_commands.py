"""``demo`` and ``replica`` come from newscrawl-replica; without it they say so, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newscrawl.cli import OPTIONAL_COMMANDS, commands
from tests.cli.helpers import ROOT, assert_usage_error, newscrawl

# ``python -S``: no site-packages, so no installed distribution's entry points (the replica's
# among them); the core's commands still run from the clone, which ``-m`` puts on sys.path.
WITHOUT_REPLICA = [sys.executable, "-S", "-m", "newscrawl"]


def without_replica(*argv: str) -> subprocess.CompletedProcess[str]:
    """``newscrawl argv...`` in an interpreter where newscrawl-replica is not installed."""
    return subprocess.run(
        [*WITHOUT_REPLICA, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_probe_interpreter_lacks_the_replica() -> None:
    result = without_replica("--help")
    assert result.returncode == 0, result.stderr
    assert "crawl" in result.stdout
    assert "demo" not in result.stdout and "replica" not in result.stdout


@pytest.mark.parametrize("name", ["demo", "replica"])
@pytest.mark.parametrize("extra", [[], ["--site", "ict_en"], ["--help"]])
def test_a_command_of_the_replica_without_it(name: str, extra: list[str]) -> None:
    result = without_replica(name, *extra)
    line = assert_usage_error(result, "newscrawl", f"'{name}'", "newscrawl-replica")
    assert "pip install -e ./replica" in line
    assert "invalid choice" not in result.stderr


def test_an_unknown_command_is_still_argparse_s_error() -> None:
    result = without_replica("nosuch")
    assert_usage_error(result, "newscrawl", "invalid choice", "'nosuch'")


def test_with_the_replica_installed_its_commands_run() -> None:
    assert set(OPTIONAL_COMMANDS) <= set(commands())  # this venv has it (pip install -e ./replica)
    result = newscrawl("demo", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: newscrawl demo")
