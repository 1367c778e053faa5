"""Persistence layer: SQLAlchemy 2.0 models, engine/session factory, upserts, Alembic migrations.

See ``docs/ARCHITECTURE.md`` (Database). Import the pieces from their modules:

- :mod:`newscrawl.db.models`: ``Base``, ``Article``, ``Revision``, ``Capture``
- :mod:`newscrawl.db.session`: ``database_url``, ``make_engine``, ``make_sessionmaker``, ``ensure_schema``
- :mod:`newscrawl.db.store`: ``save_articles``, ``mark_removed``, ``StoreResult``
- :mod:`newscrawl.db.queries`: ``find_article``, ``revisions``, ``count_articles``
"""
