"""Blob store adapters (the domain's ``BlobStore`` port): a local folder by default, an
S3-compatible bucket (``infra.blobs.s3``, imported only when configured)."""

from infra.blobs.local import LocalBlobStore, check_key

__all__ = ["LocalBlobStore", "check_key"]
