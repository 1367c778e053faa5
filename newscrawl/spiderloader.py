"""A Scrapy spider loader that adds one spider per site profile.

Set as ``SPIDER_LOADER_CLASS``; ``scrapy list`` then shows every profile, and ``scrapy crawl
<profile>`` runs it. Profiles come from the package and from ``NEWSCRAWL_SITES_DIR``.

A broken profile file disables only its own spider: the error is logged when the loader starts
(so ``scrapy list`` shows it beside the other spiders), and ``scrapy crawl <that name>`` stops with
it as a usage error (exit 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import UsageError
from scrapy.spiderloader import SpiderLoader

from newscrawl.profiles import Profile
from newscrawl.profiles.loader import SITES_DIR_ENV, load_catalog
from newscrawl.spiders.profile import ProfileSpider

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.settings import BaseSettings


class UnknownSpider(UsageError, KeyError):
    """``scrapy crawl nosuch``: Scrapy's command line prints a UsageError as its usage and one
    line, exit 2; a KeyError still, as ``SpiderLoader.load`` promises (``scrapy parse`` catches it)."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown spider {name!r}; known: {', '.join(known)}", print_help=False)

    __str__ = Exception.__str__  # KeyError's would quote the message


def spider_class(profile: Profile) -> type[ProfileSpider]:
    """A ProfileSpider subclass named after the profile."""
    class_name = "".join(part.capitalize() for part in profile.name.split("_")) + "Spider"
    doc = f"Crawl {profile.site} ({profile.lang}) as described by {profile.source}."
    return type(class_name, (ProfileSpider,), {"name": profile.name, "profile": profile, "__doc__": doc})


class ProfileSpiderLoader(SpiderLoader):
    """SpiderLoader plus the profile spiders; a broken profile disables only its own spider."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self._catalog = load_catalog(settings.get(SITES_DIR_ENV) or None)
        self._catalog.log_errors()
        for profile in self._catalog.profiles.values():
            self._spiders[profile.name] = spider_class(profile)
            self._found[profile.name].append((str(profile.source), profile.name))
        self._check_name_duplicates()

    def load(self, spider_name: str) -> type[Spider]:
        """The spider *spider_name*; a disabled profile's name is a usage error giving its
        problems, and an unknown name raises :class:`UnknownSpider`."""
        problem = self._catalog.problem(spider_name)
        if problem is not None:
            raise UsageError(problem, print_help=False)
        try:
            return super().load(spider_name)
        except KeyError:
            raise UnknownSpider(spider_name, sorted(self._spiders)) from None
