"""The JSON API (/api/v1): thin routes over the domain services, every response in one envelope."""
