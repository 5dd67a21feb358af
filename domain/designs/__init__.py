"""Designs: a project's sign designs as numbered, immutable revisions, each with the engine's
result and the estimate it had when saved."""
