"""The business: engineering (pure), projects, users, idempotency."""
