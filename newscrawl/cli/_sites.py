"""``--site``: what a site argument means, the same in every ``newscrawl`` command.

A site argument is either

- a **profile name** (``ict_en``, ``scrapy list``): that profile, i.e. one site in one language; or
- a **domain** of one or more profiles: a profile's ``site`` (``ict.gov.ir``, the value stored in the
  database and in the records' ``site`` field), a name in its ``domains`` list
  (``www.ict.gov.ir``) or the host of its ``base_url``; case does not matter. A domain selects
  every profile serving it, in name order: ``ict.gov.ir`` is ``ict_en`` and ``ict_fa``.

Commands that need exactly one profile (``crawl --base-url``, ``extract --profile``) refuse a
domain shared by several and ask for the name. Commands that read the database (``export``,
``runs``) also accept a site or run name that the database holds but no profile describes any
more. Anything else is a usage error (exit 2) listing the known names and domains: a mistyped
site never gives an empty result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newscrawl.cli._errors import usage_error

if TYPE_CHECKING:
    from newscrawl.profiles import Profile

__all__ = [
    "SiteChoice",
    "check_names",
    "load_site_profiles",
    "profile_names",
    "resolve_site",
    "resolve_sites",
    "single_profile",
]


@dataclass(frozen=True, slots=True)
class SiteChoice:
    """What one site argument selects."""

    value: str
    #: the profiles it names, in name order; empty for a site known only from the database
    profiles: tuple[Profile, ...]
    #: the value is a profile name: it selects that profile's language only
    named: bool = False

    @property
    def sites(self) -> tuple[str, ...]:
        """The distinct ``site`` values (as stored in the database) of the choice."""
        if not self.profiles:
            return (self.value,)
        return tuple(dict.fromkeys(profile.site for profile in self.profiles))


def load_site_profiles() -> dict[str, Profile]:
    """Every profile (shipped and ``NEWSCRAWL_SITES_DIR``); a broken one is a one-line usage error."""
    from newscrawl.profiles import ProfileError, load_profiles

    try:
        return load_profiles()
    except ProfileError as exc:
        raise usage_error(str(exc)) from None


def _domains(profile: Profile) -> set[str]:
    return {name.lower().rstrip(".") for name in (profile.site, *profile.hosts) if name}


def resolve_site(
    value: str,
    profiles: Mapping[str, Profile],
    *,
    stored: Callable[[str], bool] | None = None,
) -> SiteChoice:
    """The profiles the site argument *value* names (see the module docstring).

    *stored*, for commands that read the database, says whether the database holds *value*
    (asked only when no profile matches). Raises a usage :class:`CommandError` otherwise.
    """
    text = value.strip()
    if text in profiles:
        return SiteChoice(text, (profiles[text],), named=True)
    domain = text.lower().rstrip(".")
    matches = tuple(
        profiles[name] for name in sorted(profiles) if domain in _domains(profiles[name])
    )
    if matches:
        return SiteChoice(text, matches)
    if stored is not None and text and stored(text):
        return SiteChoice(text, ())
    raise usage_error(_unknown(value, profiles, stored is not None))


def resolve_sites(
    values: Iterable[str],
    profiles: Mapping[str, Profile],
    *,
    stored: Callable[[str], bool] | None = None,
) -> list[SiteChoice]:
    """:func:`resolve_site` for each of *values*."""
    return [resolve_site(value, profiles, stored=stored) for value in values]


def profile_names(choices: Iterable[SiteChoice]) -> list[str]:
    """The profile names of *choices*, each once, in the order given."""
    return list(dict.fromkeys(profile.name for choice in choices for profile in choice.profiles))


def single_profile(choice: SiteChoice, why: str) -> Profile:
    """The one profile of *choice*; a domain shared by several is a usage error asking for a name."""
    if len(choice.profiles) == 1:
        return choice.profiles[0]
    names = ", ".join(profile.name for profile in choice.profiles)
    raise usage_error(f"{choice.value!r} is the site of {names}; {why}: give one profile name")


def _unknown(value: str, profiles: Mapping[str, Profile], database: bool) -> str:
    names = ", ".join(sorted(profiles)) or "none"
    domains = ", ".join(sorted({d for profile in profiles.values() for d in _domains(profile)}))
    where = " or a site stored in the database" if database else ""
    return f"unknown site {value!r}: give a profile name ({names}), one of their domains ({domains}){where}"


def check_names(values: Sequence[str], known: Iterable[str], what: str) -> None:
    """Raise a usage error if a profile name in *values* is not in *known* (e.g. no replica)."""
    allowed = set(known)
    missing = [value for value in values if value not in allowed]
    if missing:
        raise usage_error(f"{', '.join(missing)}: {what} ({', '.join(sorted(allowed)) or 'none'})")
