"""What machine and software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _postgres_version(url: str | None) -> str:
    if url:
        try:
            from sqlalchemy import text

            from newscrawl.db.session import make_engine

            engine = make_engine(url)
            try:
                with engine.connect() as connection:
                    return str(connection.execute(text("SHOW server_version")).scalar())
            finally:
                engine.dispose()
        except Exception as exc:  # noqa: BLE001 - only a description
            return f"unreachable ({type(exc).__name__})"
    try:
        out = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def describe(pg_admin_url: str | None = None) -> dict[str, str]:
    """nproc, CPU model, RAM, kernel and the versions that matter to the figures."""
    import sqlite3

    return {
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "ram": f"{_ram_gib():.1f} GiB",
        "kernel": platform.release(),
        "load average at start": _load(),
        "Python": sys.version.split()[0],
        "Scrapy": _version("scrapy"),
        "Twisted": _version("twisted"),
        "lxml": _version("lxml"),
        "parsel": _version("parsel"),
        "SQLAlchemy": _version("sqlalchemy"),
        "psycopg": _version("psycopg"),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _postgres_version(pg_admin_url),
        "aiohttp (replica server)": _version("aiohttp"),
        "numpy / datasketch": f"{_version('numpy')} / {_version('datasketch')}",
    }
