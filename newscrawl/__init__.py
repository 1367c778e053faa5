"""newscrawl: a Scrapy archiver for government ministry news sites."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
