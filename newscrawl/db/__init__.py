"""Persistence layer: SQLAlchemy 2.0 models, engine/session factory, upserts, Alembic migrations.

See ``docs/ARCHITECTURE.md`` (Database). Import the pieces from their modules:

- :mod:`newscrawl.db.models`: ``Base``, ``Article``, ``Revision``, ``Capture``, ``RemovalEvidence``
- :mod:`newscrawl.db.session`: ``database_url``, ``make_engine``, ``make_sessionmaker``, ``ensure_schema``,
  ``DatabaseTarget`` (in a crawl, ``newscrawl.extensions.archive.Archive`` owns the engine)
- :mod:`newscrawl.db.store`: ``save_articles`` (of ``newscrawl.items.Article`` values), ``record_gone``,
  ``StoreResult``, ``parse_utc``
- :mod:`newscrawl.db.queries`: ``find_article``, ``revisions``, ``count_articles``, ``known_articles``,
  ``live_source_ids``
"""
