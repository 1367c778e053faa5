"""Site profiles: declarative TOML descriptions of the sites newscrawl archives.

The shipped profiles live beside this module (``*.toml``); a directory named by the
``NEWSCRAWL_SITES_DIR`` setting or environment variable adds more (replacing a shipped one only
with ``override = true``). The schema is :mod:`newscrawl.profiles.model`; see ``docs/profiles.md``.
"""

from newscrawl.profiles.loader import (
    Catalog,
    ProfileError,
    load_catalog,
    load_profile,
    load_profiles,
    profile_by_name,
)
from newscrawl.profiles.model import Profile

__all__ = [
    "Catalog",
    "Profile",
    "ProfileError",
    "load_catalog",
    "load_profile",
    "load_profiles",
    "profile_by_name",
]
