"""A real S3-protocol server for the tests: moto in server mode on 127.0.0.1 (a free port), in a
thread of the test process, stopped when the block ends. It speaks S3 over HTTP to the ``minio``
client like MinIO would; it does not check signatures (any keys work)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def moto_s3() -> Iterator[str]:
    """Yields the endpoint, ``127.0.0.1:PORT``."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1"
    try:
        yield f"{host}:{port}"
    finally:
        server.stop()
