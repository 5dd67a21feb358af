"""Adapters at the edge: database, embedded servers, metrics, logging, settings."""
