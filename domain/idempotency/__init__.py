"""Idempotency keys: replay the first response of a repeated POST."""
