"""The systemd units of a worker machine (deploy/systemd/): valid units, commands newscrawl takes.

``systemd-analyze verify`` checks each unit (with its paths pointed at this checkout: it wants
the executable to exist) and must say nothing; the ``ExecStart`` lines are parsed by newscrawl's
own parser, so a misspelt option fails here. The commands themselves run in test_cluster.py.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.cli import build_parser

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
NAMES = ["newscrawl-worker.service", "newscrawl-scheduler.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text("utf-8"))
    return parser


@pytest.mark.parametrize("name", NAMES)
def test_exec_start_is_a_newscrawl_command(name: str) -> None:
    program, command, *options = shlex.split(unit(name)["Service"]["ExecStart"])
    assert program == "/srv/newscrawl/.venv/bin/newscrawl"
    args = build_parser(command).parse_args([command, *options])
    assert args.command == name.removeprefix("newscrawl-").removesuffix(".service")


@pytest.mark.parametrize("name", NAMES)
def test_units_can_be_enabled_and_wait_for_the_network(name: str) -> None:
    parsed = unit(name)
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    # After= alone orders, it does not pull network-online.target in
    assert parsed["Unit"]["Wants"] == parsed["Unit"]["After"] == "network-online.target"
    assert parsed["Service"]["EnvironmentFile"] == "/etc/newscrawl.env"


def test_worker_stops_warm() -> None:
    service = unit("newscrawl-worker.service")["Service"]
    assert service["KillMode"] == "mixed"
    assert "--log-dir /var/log/newscrawl" in service["ExecStart"]
    assert service["LogsDirectory"] == "newscrawl"


def test_systemd_analyze_verify_says_nothing(tmp_path: Path) -> None:
    # systemd-analyze ships with this machine's systemd and CI's: a missing one is a failure
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed"
    newscrawl = Path(sys.executable).with_name("newscrawl")
    assert newscrawl.exists(), newscrawl
    (tmp_path / "newscrawl.env").write_text(
        (UNITS / "newscrawl.env.example").read_text("utf-8"), "utf-8"
    )
    paths = []
    for name in NAMES:
        text = (UNITS / name).read_text("utf-8")
        text = text.replace("/srv/newscrawl/.venv/bin/newscrawl", str(newscrawl))
        text = text.replace("/srv/newscrawl", str(tmp_path))
        text = text.replace("/etc/newscrawl.env", str(tmp_path / "newscrawl.env"))
        (tmp_path / name).write_text(text, "utf-8")
        paths.append(str(tmp_path / name))
    done = subprocess.run(
        ["systemd-analyze", "verify", *paths],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
