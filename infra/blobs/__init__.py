"""Blob store adapters (the domain's ``BlobStore`` port): a local folder by default."""

from infra.blobs.local import LocalBlobStore, check_key

__all__ = ["LocalBlobStore", "check_key"]
