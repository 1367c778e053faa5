"""newscrawl's own Scrapy signals."""

#: Sent when a requested article answers 404 or 410. Arguments: ``site``, ``lang``,
#: ``source_id``, ``url``, ``status``. The persist pipeline marks a known article removed.
article_gone = object()
