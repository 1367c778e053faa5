"""ArticlePage: one article's fields from its HTML, driven by a site profile.

The page object only extracts. Cleaning boilerplate text, reading dates and fingerprinting are
the pipelines' work (``newscrawl.pipelines``), so that ``newscrawl extract`` and a crawl give the
same record for the same HTML.
"""

from __future__ import annotations

from copy import deepcopy
from functools import cached_property
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.extract.text import join_paragraphs
from newscrawl.extract.urls import article_id, canonical_url, site_origins
from newscrawl.items import Article
from newscrawl.pages import generic
from newscrawl.pages._html import (
    element_texts,
    first_element_text,
    first_string,
    select,
    text_lines,
    xpath,
)
from newscrawl.profiles.model import Profile, Selectors


class NotAnArticle(ValueError):
    """The page is not an article of the profile's site (wrong URL, soft 404, no title)."""


class ArticlePage:
    """Fields of one article page; each field is one small method named after it.

    The fields are read with *selectors* (one layout of the profile, ``pages.extraction``),
    by default the profile's ``[selectors]``. :meth:`with_selectors` reads the same parsed page
    with another layout's.
    """

    def __init__(
        self,
        url: str,
        html: str,
        profile: Profile,
        base_url: str | None = None,
        selectors: Selectors | None = None,
        *,
        root: Selector | None = None,
    ) -> None:
        self.url = url
        self.profile = profile
        self.selectors = selectors if selectors is not None else profile.selectors
        self.base_url = (base_url or profile.base_url).rstrip("/")
        self.origins = site_origins(profile, self.base_url)
        # Selector(text=...) keeps the text beside its tree; a Selector of the tree alone lets the
        # decoded page (up to 4 bytes a character) go once the caller drops it. *root*: a tree
        # parsed already (another reading of the same page), *html* unused.
        self.root = root if root is not None else Selector(root=Selector(text=html).root, type="html")
        #: Drop (``selectors.drop``) in a copy of the tree, leaving this one as it was parsed.
        self._copy_before_drop = False

    def with_selectors(self, selectors: Selectors, *, keep_tree: bool = False) -> ArticlePage:
        """The same page read with other *selectors*, on the same parsed tree.

        With *keep_tree*, the new page drops its ``drop`` elements from a copy of the tree, so
        that a page read with yet other selectors afterwards sees the tree as it was parsed.
        """
        page = ArticlePage(self.url, "", self.profile, self.base_url, selectors, root=self.root)
        page._copy_before_drop = keep_tree
        return page

    @cached_property
    def source_id(self) -> str:
        found = article_id(self.url, self.profile, self.origins)
        if found is None:
            raise NotAnArticle(f"URL does not match the article patterns of profile {self.profile.name}")
        return found

    @cached_property
    def _generic(self) -> generic.GenericFields | None:
        return generic.extract(self.root, self.url, self.profile) if self.selectors.generic else None

    @cached_property
    def title(self) -> str | None:
        if self._generic:
            return self._generic.title
        return first_element_text(self.root, self.selectors.title)

    @cached_property
    def lead(self) -> str | None:
        if self._generic:
            return None
        return first_element_text(self.root, self.selectors.lead)

    @cached_property
    def paragraphs(self) -> list[str]:
        if self._generic:
            return self._generic.paragraphs
        selectors = self.selectors
        assert selectors.body is not None
        bodies = select(self.root, selectors.body)
        if not bodies:
            return []
        if self._copy_before_drop and selectors.drop:
            self.root = Selector(root=deepcopy(self.root.root), type=self.root.type)
            self._copy_before_drop = False
            bodies = select(self.root, selectors.body)
        # The queries below run on the lxml node; dropping goes through parsel, as before.
        body = Selector(root=bodies[0], type=self.root.type)
        for css in selectors.drop:
            for node in select(body, css):
                Selector(root=node, type=self.root.type).drop()
        paragraphs = element_texts(select(body, selectors.paragraphs))
        if paragraphs:
            return paragraphs
        # No paragraph elements: fall back to the body's text lines.
        return text_lines(body.root)

    @cached_property
    def body_found(self) -> bool:
        """True when the page has the element the body selector names (generic: a body was read).

        An element that is there but empty is still found: the page has this layout's
        structure and lacks the content, which is no sign of a redesign.
        """
        if self.selectors.body is None:
            return bool(self.paragraphs)
        return bool(select(self.root, self.selectors.body))

    @cached_property
    def published_raw(self) -> str | None:
        if self._generic:
            return self._generic.date
        text = first_element_text(self.root, self.selectors.date)
        pattern = self.profile.dates.pattern
        if text and pattern:
            match = pattern.search(text)
            if not match:
                return None
            text = match.group("date") if "date" in pattern.groupindex else match.group(0)
            text = text.strip()
        return text or None

    @property
    def date_evidence(self) -> str | None:
        """Where generic extraction's date came from (``extract.datefinder``'s evidence or
        ``"htmldate"``); None for a profile with selectors, or no date."""
        return self._generic.date_evidence if self._generic else None

    @property
    def date_conflict(self) -> bool:
        """Generic extraction's date candidates disagreed, so the page gave no date."""
        return bool(self._generic and self._generic.date_conflict)

    @cached_property
    def volatile_texts(self) -> list[str]:
        """The texts of the elements the profile's ``[volatile] selectors`` match."""
        selectors = self.profile.volatile.selectors
        return [text for css in selectors for text in element_texts(select(self.root, css))]

    @cached_property
    def tags(self) -> list[str]:
        css = self.selectors.tags
        return list(dict.fromkeys(element_texts(select(self.root, css)))) if css else []

    @cached_property
    def page_lang(self) -> str | None:
        """The page's declared language (``<html lang>``), lowercased, or None."""
        lang = first_string(xpath(self.root, "/html/@lang"))
        return lang.strip().lower() if lang and lang.strip() else None

    @cached_property
    def alternates(self) -> dict[str, str]:
        """Other-language versions the page links (``<link rel=alternate hreflang=…>``)."""
        found: dict[str, str] = {}
        for link in xpath(self.root, "//link[@hreflang][@href]"):
            attrib = link.attrib
            if "alternate" not in (attrib.get("rel") or "").lower().split():
                continue
            lang = attrib["hreflang"].strip().lower()
            if lang and lang != "x-default" and lang.split("-")[0] != self.profile.lang.split("-")[0]:
                found[lang] = urljoin(self.url, attrib["href"].strip())
        return found

    @cached_property
    def canonical_url(self) -> str:
        rel = first_string(xpath(self.root, "//link[@rel='canonical']/@href"))
        return canonical_url(self.profile, self.base_url, self.source_id, self.url, rel, self.origins)

    def lang_mismatch(self) -> bool:
        """True when the page declares a language other than the profile's."""
        page = self.page_lang
        return bool(page) and page.split("-")[0] != self.profile.lang.split("-")[0]  # type: ignore[union-attr]

    def to_item(self, fetched_at: str) -> Article:
        """The raw Article; raises :class:`NotAnArticle` for pages that are not articles."""
        source_id = self.source_id
        if not self.title:
            raise NotAnArticle("no title found (soft 404 or a page that is not an article)")
        return Article(
            url=self.url,
            canonical_url=self.canonical_url,
            site=self.profile.site,
            lang=self.profile.lang,
            source_id=source_id,
            title=self.title,
            lead=self.lead,
            body=join_paragraphs(self.paragraphs),
            tags=self.tags,
            published_raw=self.published_raw,
            alternates=self.alternates,
            fetched_at=fetched_at,
        )
