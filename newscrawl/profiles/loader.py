"""Load site profiles from TOML files and validate them with the models in :mod:`.model`.

A mistake in a file is reported as a :class:`ProfileError` whose message has one line per problem,
each naming the file, the key and the problem. A broken file disables only its own profile:
:func:`load_catalog` returns the good profiles and, by the name each broken file claims, its errors.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from newscrawl.profiles.model import NAME_RE, Profile

logger = logging.getLogger(__name__)

SITES_DIR_ENV = "NEWSCRAWL_SITES_DIR"
SHIPPED_DIR = Path(__file__).parent

# The problem for pydantic's error types whose own message would read oddly to a profile author.
_WANTS = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "tuple_type": "an array",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "pattern_type": "a string (a regular expression)",
}
_TOML_TYPES = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", list: "an array", dict: "a table"}


class ProfileError(ValueError):
    """A profile file is missing, unreadable or wrong; each line names file, key and problem.

    ``key`` and ``problem`` are the first problem's; ``problems`` has every (key, problem).
    """

    def __init__(self, source: Path | str, key: str | None, problem: str, *more: tuple[str | None, str]) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        self.problems: tuple[tuple[str | None, str], ...] = ((key, problem), *more)
        lines = (f"{source}: key '{k}': {p}" if k else f"{source}: {p}" for k, p in self.problems)
        super().__init__("\n".join(lines))

    @classmethod
    def from_validation(cls, source: Path, exc: ValidationError) -> ProfileError:
        first, *rest = [(_dotted(e["loc"]), _problem(e)) for e in exc.errors()]
        return cls(source, *first, *rest)


def _dotted(loc: Sequence[int | str]) -> str | None:
    """pydantic's ``loc`` as the key a user wrote: ``article.url_patterns[0]``."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else part
    return key or None


def _problem(error: ErrorDetails) -> str:
    kind, value, ctx = error["type"], error["input"], error.get("ctx", {})
    if kind == "missing":
        problem = "is required"
    elif kind == "extra_forbidden":
        problem = "unknown key (misspelt?)"
    elif kind == "literal_error":
        problem = f"must be one of {ctx['expected']}, not {value!r}"
    elif kind in _WANTS:
        problem = f"must be {_WANTS[kind]}, not {_TOML_TYPES.get(type(value), type(value).__name__)}"
    elif kind == "greater_than_equal":
        problem = f"must be at least {ctx['ge']}, not {value!r}"
    elif kind == "value_error":
        problem = str(ctx["error"])
    else:
        problem = f"{error['msg']}, not {value!r}"
    return " ".join(problem.split())  # one line per problem


def parse_profile(source: Path, data: dict[str, Any]) -> Profile:
    """Validate one profile's TOML data; raise :class:`ProfileError` listing every problem."""
    try:
        return Profile.model_validate(data, context={"source": source})
    except ValidationError as exc:
        raise ProfileError.from_validation(source, exc) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ProfileError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, None, f"not valid TOML: {exc}") from None


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file."""
    return parse_profile(path, _read(path))


@dataclass(frozen=True)
class Catalog:
    """The usable profiles by name, and the errors of the broken files by the name they claim."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    errors: dict[str, list[ProfileError]] = field(default_factory=dict)

    def problem(self, name: str) -> str | None:
        """Why profile ``name`` is disabled (every problem of its files, one a line), or None."""
        errors = self.errors.get(name)
        return "\n".join(map(str, errors)) if errors else None

    def log_errors(self) -> None:
        """Report every broken file: logged, or on stderr before logging is set up.

        ``scrapy list`` never sets up logging and ``scrapy crawl`` does so only after making the
        spider loader, so a log record alone would be lost (the package logs to a NullHandler).
        """
        for name, errors in self.errors.items():
            for line in "\n".join(map(str, errors)).splitlines():
                if logging.getLogger().handlers:
                    logger.error("profile %r disabled: %s", name, line)
                else:
                    print(f"ERROR: profile {name!r} disabled: {line}", file=sys.stderr)


def _name_taken(path: Path, other: Profile, shipped: bool) -> ProfileError:
    problem = f"{other.name!r} is already the name of {other.source}"
    if shipped:
        problem += ", a shipped profile: add override = true to replace it, or choose another name"
    return ProfileError(path, "name", problem)


def _claimed_name(path: Path) -> str:
    """The spider name a file asks for even when it is broken: its ``name``, else its file name."""
    try:
        name = _read(path).get("name")
    except ProfileError:
        name = None
    return name if isinstance(name, str) and NAME_RE.match(name) else path.stem


def _profile_files(extra_dir: str | None) -> Iterable[tuple[Path, bool]]:
    for path in sorted(SHIPPED_DIR.glob("*.toml")):
        yield path, True
    if extra_dir:
        directory = Path(extra_dir)
        if not directory.is_dir():
            raise ProfileError(directory, SITES_DIR_ENV, "is not a directory")
        for path in sorted(directory.glob("*.toml")):
            yield path, False


def load_catalog(extra_dir: str | None = None) -> Catalog:
    """Load the shipped profiles plus those in ``extra_dir`` (default: ``$NEWSCRAWL_SITES_DIR``).

    A file in ``extra_dir`` may replace a shipped profile only if it says ``override = true``;
    reusing any other profile's name is an error. A name with an error is disabled.
    """
    if extra_dir is None:
        extra_dir = os.environ.get(SITES_DIR_ENV) or None
    catalog = Catalog()
    shipped: set[str] = set()
    for path, is_shipped in _profile_files(extra_dir):
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            catalog.errors.setdefault(_claimed_name(path), []).append(exc)
            continue
        name, other = profile.name, catalog.profiles.get(profile.name)
        if other is not None and not (name in shipped and profile.override):
            catalog.errors.setdefault(name, []).append(_name_taken(path, other, name in shipped))
            continue
        catalog.profiles[name] = profile
        if is_shipped:
            shipped.add(name)
        else:
            shipped.discard(name)  # overridden: a second file with the name is a duplicate
    for name in catalog.errors:
        catalog.profiles.pop(name, None)
    return catalog


def load_profiles(extra_dir: str | None = None) -> dict[str, Profile]:
    """The usable profiles by name (see :func:`load_catalog`); broken files are logged and left out."""
    catalog = load_catalog(extra_dir)
    catalog.log_errors()
    return catalog.profiles


@cache
def _cached_catalog(extra_dir: str | None) -> Catalog:
    return load_catalog(extra_dir)


def profile_by_name(name: str, extra_dir: str | None = None) -> Profile:
    """Return one profile by name (cached per directory); KeyError says why there is none."""
    if extra_dir is None:
        extra_dir = os.environ.get(SITES_DIR_ENV) or None
    catalog = _cached_catalog(extra_dir)
    problem = catalog.problem(name)
    if problem is not None:
        raise KeyError(f"profile {name!r} is disabled: {problem}")
    try:
        return catalog.profiles[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(catalog.profiles))}") from None
