"""Run the ``newscrawl`` and ``scrapy`` commands as a user does: a child process from the root."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def command(
    *argv: str,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m <argv...>`` from the project's root; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def scrapy(*argv: str) -> subprocess.CompletedProcess[str]:
    """The ``scrapy`` script beside this interpreter (so that its messages say ``scrapy``)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "scrapy"), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def newscrawl(
    *argv: str, env: Mapping[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m newscrawl <argv...>``."""
    return command("newscrawl", *argv, env=env, stdin=stdin)


def error_lines(stderr: str, prog: str) -> list[str]:
    """The lines of *stderr* that report an error (``<prog>: error: ...``)."""
    return [line for line in stderr.splitlines() if line.startswith(f"{prog}: error:")]


def assert_usage_error(result: subprocess.CompletedProcess[str], prog: str, *named: str) -> str:
    """Exit 2, no traceback, one error line naming each of *named*; returns that line."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = error_lines(result.stderr, prog)
    assert len(lines) == 1, result.stderr
    for text in named:
        assert text in lines[0], (text, lines[0])
    return lines[0]
