"""newscrawl's versions of Scrapy commands (``COMMANDS_MODULE``): they replace Scrapy's own."""
