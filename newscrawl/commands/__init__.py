"""newscrawl's versions of Scrapy commands (``COMMANDS_MODULE``): ``scrapy crawl`` checks the
profile spiders' arguments before the crawl starts, so that a mistake is a usage error."""
