"""newscrawl's own Scrapy signals."""

#: Sent when a requested article answers 404 or 410 or redirects to the site's home page or a
#: listing (``newscrawl.removal``). Argument: ``observation``, a ``removal.GoneObservation``. The
#: persist pipeline stores it as removal evidence of a stored article, which may make a tombstone.
article_gone = object()
