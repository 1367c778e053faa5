"""CleanTextPipeline: normalise text and strip boilerplate (see ``extract.text``)."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newscrawl.extract.article import clean_article
from newscrawl.items import Article
from newscrawl.pipelines import ProfileStage


class CleanTextPipeline(ProfileStage):
    """Drop articles with no title or body after cleaning, counting each reason."""

    def process_item(self, item: Article) -> Article:
        reason = clean_article(item, self.profile)
        if reason:
            self.stats.inc_value(f"newscrawl/clean/dropped/{reason}")
            raise DropItem(f"{reason}: {item.url}")
        self.stats.inc_value("newscrawl/clean/ok")
        return item
