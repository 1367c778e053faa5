"""Deploy newscrawl to scrapyd: a settings-only egg, uploaded to ``addversion.json``.

    python -m newscrawl.cli.deploy                       # the [deploy] target of scrapy.cfg
    python -m newscrawl.cli.deploy --url http://127.0.0.1:6800/ --version 2026.03.01
    python -m newscrawl.cli.deploy --egg-only newscrawl.egg

scrapyd runs a project from an egg: it puts the egg on ``sys.path`` and reads the settings module
from the egg's ``[scrapy] settings`` entry point. The usual tool, ``scrapyd-deploy``
(scrapyd-client), packs the project's code into that egg, and scrapyd then imports it from the
zip file. newscrawl can't run from a zip: it reads its site profiles and its Alembic migrations
as files. And an egg holding the code shadows an editable install of newscrawl (or is shadowed
by a regular one), so which code runs would depend on how it was installed.

So newscrawl is *installed* in scrapyd's environment, with its dependencies (``pip install``),
like any other Python package, and the egg deployed here holds only metadata: the entry point
``settings = newscrawl.settings``. Deploy it once per scrapyd; to update the code, upgrade the
installed package. The egg is built with :mod:`zipfile` (an egg is a zip file with an
``EGG-INFO`` directory; ``pkg_resources``, which scrapyd uses, reads nothing else).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from newscrawl import __version__

__all__ = ["DEFAULT_PROJECT", "DEFAULT_URL", "build_egg", "deploy", "main"]

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "newscrawl"
SETTINGS_MODULE = "newscrawl.settings"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def build_egg(settings_module: str = SETTINGS_MODULE, version: str = __version__) -> bytes:
    """A metadata-only egg whose ``[scrapy] settings`` entry point is *settings_module*."""
    pkg_info = f"Metadata-Version: 1.1\nName: newscrawl-scrapyd\nVersion: {version}\n"
    entry_points = f"[scrapy]\nsettings = {settings_module}\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as egg:
        egg.writestr("EGG-INFO/PKG-INFO", pkg_info)
        egg.writestr("EGG-INFO/entry_points.txt", entry_points)
        egg.writestr("EGG-INFO/top_level.txt", "")
        egg.writestr("EGG-INFO/zip-safe", "")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def deploy(
    url: str = DEFAULT_URL,
    project: str = DEFAULT_PROJECT,
    version: str | None = None,
    *,
    egg: bytes | None = None,
    timeout: float = 60,
) -> dict[str, Any]:
    """Upload the egg to the scrapyd at *url* as *project* *version*; return scrapyd's answer.

    The version defaults to the current Unix time, so that each deploy is the newest (scrapyd
    runs the newest version unless told otherwise). Raises ``RuntimeError`` when scrapyd
    refuses the egg.
    """
    version = version or str(int(time.time()))
    body, content_type = _multipart(
        {"project": project, "version": version},
        {"egg": (f"{project}-{version}.egg", egg if egg is not None else build_egg())},
    )
    request = urllib.request.Request(
        urljoin(url if url.endswith("/") else url + "/", "addversion.json"),
        data=body,
        method="POST",
        headers={"Content-Type": content_type},
    )
    try:
        with _NO_PROXY.open(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise RuntimeError(
            f"scrapyd refused the egg: HTTP {exc.code}: {exc.read()[:500]!r}"
        ) from exc
    if answer.get("status") != "ok":
        raise RuntimeError(f"scrapyd refused the egg: {answer.get('message', answer)}")
    return answer


def _configured_target() -> tuple[str, str]:
    """The ``[deploy]`` url and project of the nearest ``scrapy.cfg``, else the defaults."""
    from scrapy.utils.conf import get_config

    config = get_config()
    url = config.get("deploy", "url", fallback=DEFAULT_URL)
    project = config.get("deploy", "project", fallback=DEFAULT_PROJECT)
    return url, project


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m newscrawl.cli.deploy``: deploy (or write) the settings-only egg."""
    url, project = _configured_target()
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.cli.deploy",
        description="Register newscrawl with a scrapyd server (newscrawl itself must be "
        "installed in scrapyd's environment).",
    )
    parser.add_argument("--url", default=url, help=f"scrapyd's URL (default: {url})")
    parser.add_argument("--project", default=project, help=f"project name (default: {project})")
    parser.add_argument("--version", help="version name (default: the current Unix time)")
    parser.add_argument(
        "--egg-only", metavar="FILE", type=Path, help="write the egg to FILE, don't upload"
    )
    args = parser.parse_args(argv)
    if args.egg_only is not None:
        args.egg_only.write_bytes(build_egg())
        print(f"wrote {args.egg_only}")
        return 0
    try:
        answer = deploy(args.url, args.project, args.version)
    except (RuntimeError, OSError) as exc:
        print(f"deploy to {args.url} failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
