"""Site profiles: declarative TOML descriptions of the sites newscrawl archives.

The shipped profiles live beside this module (``*.toml``); a directory named by the
``NEWSCRAWL_SITES_DIR`` setting or environment variable adds more. See ``docs/profiles.md``.
"""

from newscrawl.profiles.loader import ProfileError, load_profile, load_profiles, profile_by_name
from newscrawl.profiles.model import Profile

__all__ = ["Profile", "ProfileError", "load_profile", "load_profiles", "profile_by_name"]
