"""Project lifecycle: state machine (pure), ETag/diff rules (pure), service, repository, models."""
