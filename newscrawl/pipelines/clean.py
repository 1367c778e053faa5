"""CleanTextPipeline: normalise text and strip boilerplate (see ``extract.text``).

An Article from the extract pipeline has been cleaned already, with its extraction (in an extract
worker; ``Article.steps``): this stage then only counts the outcome and drops what it says.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newscrawl.extract.article import clean_article
from newscrawl.items import Article
from newscrawl.pipelines import ProfileStage


class CleanTextPipeline(ProfileStage):
    """Drop articles with no title or body after cleaning, counting each reason."""

    def process_item(self, item: Article) -> Article:
        reason = item.steps.clean if item.steps is not None else clean_article(item, self.profile)
        if reason:
            self.stats.inc_value(f"newscrawl/clean/dropped/{reason}")
            raise DropItem(f"{reason}: {item.url}")
        self.stats.inc_value("newscrawl/clean/ok")
        return item
