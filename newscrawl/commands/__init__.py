"""Scrapy commands of the newscrawl project (``COMMANDS_MODULE``): they replace Scrapy's own."""
