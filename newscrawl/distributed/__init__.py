"""Crawls on many machines: a Celery app whose task crawls one site (``pip install newscrawl[distributed]``).

- :mod:`.app`: the Celery app (broker ``NEWSCRAWL_BROKER_URL``; late acknowledgement, redelivery
  of a lost worker's job, one job per worker process at a time);
- :mod:`.tasks`: ``crawl_site(site, mode)``, one crawl in a child process through
  :mod:`newscrawl.runner`;
- :mod:`.schedule`: the beat schedule of ``newscrawl scheduler``.

Exactly one crawl per site at a time holds across machines through the site's lease in the shared
database (:mod:`newscrawl.db.locks`), not through the broker: a job whose site is leased elsewhere
is retried later, and a job is done once its site was crawled after it was queued, so a job
delivered twice is crawled once. The ``newscrawl worker``, ``enqueue`` and ``scheduler`` commands
(``newscrawl/cli/``) import this package only when they run.
"""
