"""Background jobs: the jobs table is the source of truth; Celery only carries the ids."""
