"""Search backends other than PostgreSQL's own (which lives in ``domain.search.postgres``)."""
