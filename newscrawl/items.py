"""The Article item: one archived news article.

Field order here is the field order of the JSON lines export (Scrapy >= 2.18 writes fields in
declaration order), and the field names are a documented, stable interface (see README).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True, slots=True)
class Article:
    """An article as it moves through the pipelines.

    Page objects fill the raw fields (title, lead, body, tags, published_raw …); the steps that
    ``pages.extraction.extract_article`` runs after them clean the text and fill the derived ones
    (published_at, published_at_utc, content_hash). Every Article the extract pipeline returns
    has been through them.
    """

    url: str
    canonical_url: str
    site: str
    lang: str
    source_id: str
    title: str | None = None
    lead: str | None = None
    body: str = ""
    tags: list[str] = field(default_factory=list)
    published_at: str | None = None
    published_at_utc: str | None = None
    published_raw: str | None = None
    alternates: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""
    content_hash: str | None = None
    #: Which layout of the profile read the page (``[[layouts]]`` name, ``default`` for a
    #: profile without layouts), or ``generic`` when no layout did and generic extraction did.
    layout: str | None = None
    #: Left out of the repr, which Scrapy logs for dropped items: a page's bytes are noise there.
    capture: RawCapture | None = field(default=None, repr=False)
    #: The texts of the profile's ``[volatile]`` regions on the page (selector matches, pattern
    #: matches in the text), stored with the revision so that diffs tell their changes apart
    #: (``newscrawl.changes``). Not exported.
    volatile: list[str] = field(default_factory=list, repr=False)


@dataclass(frozen=True, slots=True)
class RawCapture:
    """The response an article was extracted from, kept so that it can be re-extracted later.

    Not exported to JSON lines (see ``EXPORT_FIELDS``); the persist pipeline stores it.
    """

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)
    encoding: str | None = None


@dataclass(kw_only=True, slots=True)
class ArticleResponse:
    """An article page as the spider fetched it, before extraction.

    The spider only navigates: it yields one of these per article response, and the first
    pipeline (``pipelines.extract.ExtractPipeline``) turns it into an :class:`Article` or drops it.
    It never reaches the exports.
    """

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)
    source_id: str
    #: The date a listing, feed or sitemap gave for the article, if any.
    date_raw: str | None = None
    fetched_at: str

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value
        return None


# The exported fields, in order: every Article field except the raw capture.
EXPORT_FIELDS: tuple[str, ...] = tuple(
    name for name in Article.__dataclass_fields__ if name not in ("capture", "volatile")
)
