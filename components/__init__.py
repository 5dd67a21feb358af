"""Reusable UI pieces: they take plain data and callbacks and never touch the database."""
