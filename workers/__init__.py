"""Celery workers: the one Celery app, its composition root and the task shells."""
