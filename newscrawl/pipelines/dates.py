"""NormaliseDatesPipeline: read the date string in the site's zone (see ``extract.dates``).

An Article from the extract pipeline has been dated already, with its extraction (in an extract
worker; ``Article.steps``): this stage then only counts and logs the outcome.
"""

from __future__ import annotations

import logging

from newscrawl.extract.article import DateStatus, date_article
from newscrawl.items import Article
from newscrawl.pipelines import ProfileStage

logger = logging.getLogger(__name__)


class NormaliseDatesPipeline(ProfileStage):
    """Fill published_at; an article without a readable date is kept, with a warning."""

    def process_item(self, item: Article) -> Article:
        if item.steps is not None and item.steps.dates is not None:
            status = DateStatus(item.steps.dates)
        else:
            status = date_article(item, self.profile)
        self.stats.inc_value(f"newscrawl/dates/{status}")
        if status is DateStatus.MISSING:
            logger.warning("No date on article %s; stored without one", item.url)
        elif status is DateStatus.UNPARSED:
            logger.warning("Unreadable date %r on article %s; stored without one", item.published_raw, item.url)
        return item
