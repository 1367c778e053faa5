"""One module per replica site; :data:`SITES` maps a site name to its factory and entry path."""

from __future__ import annotations

from collections.abc import Callable

from newscrawl_replica.sites.base import SiteBase
from newscrawl_replica.state import ReplicaState


def _ict_en(state: ReplicaState) -> SiteBase:
    from newscrawl_replica.sites.ict import EN, IctSite

    return IctSite(state, EN)


def _ict_fa(state: ReplicaState) -> SiteBase:
    from newscrawl_replica.sites.ict import FA, IctSite

    return IctSite(state, FA)


def _msrt_en(state: ReplicaState) -> SiteBase:
    from newscrawl_replica.sites.msrt import MsrtSite

    return MsrtSite(state)


def _moic_dr(state: ReplicaState) -> SiteBase:
    from newscrawl_replica.sites.moic import MoicSite

    return MoicSite(state)


# name -> (factory, path of the news listing)
SITES: dict[str, tuple[Callable[[ReplicaState], SiteBase], str]] = {
    "ict_en": (_ict_en, "/en/news"),
    "ict_fa": (_ict_fa, "/fa/news"),
    "msrt_en": (_msrt_en, "/en/news"),
    "moic_dr": (_moic_dr, "/dr/news"),
}
