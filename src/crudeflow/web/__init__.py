"""``crudeflow serve``: a local web app and HTTP JSON API over the public Python API.

Solves and analyses run in a pool of worker processes (:mod:`crudeflow.web.jobs`);
every run is saved in a SQLAlchemy store (:mod:`crudeflow.web.store`, SQLite by default,
PostgreSQL by URL) with Alembic migrations shipped in ``migrations/``. The app itself is
built by :func:`crudeflow.web.app.create_app`. Needs the ``web`` extra
(``pip install 'crudeflow[web]'``).
"""

from __future__ import annotations
