"""Log lines are JSON objects carrying the request id of the request being served."""

from __future__ import annotations

import io
import json
import logging

from infra import logs


def test_log_lines_are_json_with_the_request_id(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(logs.sys, "stderr", stream)
    logs.configure("INFO")
    token = logs.request_id_var.set("req-42")
    try:
        logging.getLogger("signx.test").info("project saved", extra={"project_id": "p1"})
    finally:
        logs.request_id_var.reset(token)
        logging.getLogger().handlers[:] = [
            h for h in logging.getLogger().handlers if not getattr(h, "_signx", False)
        ]
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["message"] == "project saved"
    assert line["request_id"] == "req-42"
    assert line["project_id"] == "p1"
    assert line["level"] == "INFO" and line["logger"] == "signx.test"
