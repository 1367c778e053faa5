"""Pure extraction helpers: text cleaning, Persian normalisation, dates and URLs (no Scrapy, no I/O)."""
