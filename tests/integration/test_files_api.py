"""Project files through the API on the real stack (guard, routes, service, PostgreSQL, the local
blob store under the test data dir): upload, list, download, delete, and the bad-upload corpus,
each refusal checked to leave no blob, staged file or row behind."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.files.service import FileService
from domain.projects.lifecycle import Status
from infra.settings import Settings
from tests import files
from tests.designs import save_passing_design
from tests.served import served
from tests.waiting import eventually

MiB = 1024 * 1024


def blobs_root() -> Path:
    return Path(Settings().data_dir) / "blobs"


def stored_files() -> list[str]:
    """Every file blob and every staged upload under the store's folder."""
    root = blobs_root()
    found = [p for d in ("files", ".tmp") if (root / d).exists() for p in (root / d).iterdir()]
    return sorted(str(p.relative_to(root)) for p in found)


@pytest.fixture(autouse=True)
def _no_files_yet(servers: dict[str, str]) -> None:
    """The session's blob folder outlives each test's tables: start every test without file blobs."""
    import shutil

    for folder in ("files", ".tmp"):
        shutil.rmtree(blobs_root() / folder, ignore_errors=True)


async def rows(services: Any, project_id: str) -> int:
    return (await services.files.list(project_id)).total


@pytest.fixture
async def project(http: httpx.AsyncClient, estimator: dict[str, str]) -> dict[str, Any]:
    body = {"name": "Main St Pylon", "account_id": "ACME-01", "customer": "Acme Fuel"}
    created = await http.post("/api/v1/projects", json=body, headers=estimator)
    assert created.status_code == 201, created.text
    return created.json()["result"]  # type: ignore[no-any-return]


def url(project: dict[str, Any], file_id: str = "") -> str:
    base = f"/api/v1/projects/{project['project_id']}/files"
    return f"{base}/{file_id}" if file_id else base


async def upload(
    http: httpx.AsyncClient, project: dict[str, Any], headers: dict[str, str], name: str, data: bytes
) -> httpx.Response:
    return await http.post(url(project), files={"file": (name, data)}, headers=headers)


@pytest.mark.parametrize("kind", sorted(files.ALLOWED))
async def test_each_allowed_kind_uploads_lists_and_downloads_as_stored(http, estimator, project, kind):
    data = files.ALLOWED[kind]()
    name = f"site {kind.lower()} – Zürich.bin"  # the name's extension does not matter
    response = await upload(http, project, estimator, name, data)
    assert response.status_code == 201, response.text
    result = response.json()["result"]
    sha = hashlib.sha256(data).hexdigest()
    assert {k: result[k] for k in ("name", "size", "sha256", "kind")} == {
        "name": name,
        "size": len(data),
        "sha256": sha,
        "kind": kind,
    }
    assert response.headers["etag"] == f'"{sha}"'
    assert response.headers["location"] == url(project, result["file_id"])

    listed = (await http.get(url(project), headers=estimator)).json()["result"]
    assert [f["file_id"] for f in listed["items"]] == [result["file_id"]]
    assert listed["items"][0]["uploaded_by_email"] == "estimator@example.com"

    download = await http.get(url(project, result["file_id"]), headers=estimator)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].split(";")[0] == result["content_type"]
    assert download.headers["etag"] == f'"{sha}"'
    assert download.headers["content-length"] == str(len(data))
    assert download.headers["content-disposition"].startswith('attachment; filename="site ')
    assert "filename*=UTF-8''site%20" in download.headers["content-disposition"]
    cached = await http.get(
        url(project, result["file_id"]), headers={**estimator, "If-None-Match": f'"{sha}"'}
    )
    assert cached.status_code == 304 and not cached.content
    assert stored_files() == [f"files/{sha}"]


async def test_the_same_content_uploaded_twice_is_stored_once(http, estimator, project, services):
    data = files.pdf("Elevation")
    first = await upload(http, project, estimator, "elevation.pdf", data)
    second = await upload(http, project, estimator, "elevation-copy.pdf", data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["result"]["file_id"] == first.json()["result"]["file_id"]
    assert second.json()["result"]["name"] == "elevation.pdf"  # the file stored first
    assert "location" not in second.headers
    assert await rows(services, project["project_id"]) == 1
    events = (await services.projects.events(project["project_id"])).items
    assert [e.event_type for e in events].count("file.uploaded") == 1
    assert stored_files() == [f"files/{hashlib.sha256(data).hexdigest()}"]


async def test_another_project_with_the_same_content_gets_its_own_file_but_shares_the_bytes(
    http, estimator, project, services
):
    other = await http.post(
        "/api/v1/projects", json={"name": "Oak Ave", "account_id": "A-2"}, headers=estimator
    )
    data = files.png()
    a = await upload(http, project, estimator, "photo.png", data)
    b = await upload(http, other.json()["result"], estimator, "photo.png", data)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["result"]["file_id"] != b.json()["result"]["file_id"]
    assert len(stored_files()) == 1


async def test_a_path_in_the_name_is_cut_to_its_last_part(http, estimator, project):
    body, headers = files.form(files.part("../../etc/x.pdf", files.pdf()))
    response = await http.post(url(project), content=body, headers={**estimator, **headers})
    assert response.status_code == 201, response.text
    assert response.json()["result"]["name"] == "x.pdf"


def _refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return error  # type: ignore[no-any-return]


BAD_UPLOADS = {
    "empty": (files.part("empty.pdf", b""), 422, "invalid_input", "empty"),
    "exe renamed .pdf": (files.part("invoice.pdf", files.exe()), 415, "unsupported_media_type", "content"),
    "docx renamed .xlsx": (files.part("poles.xlsx", files.docx()), 415, "unsupported_media_type", "content"),
    "pdf without its end": (files.part("cut.pdf", files.pdf()[:-100]), 415, "unsupported_media_type", "kind"),
    "bell in the name": (files.part(b"a\x07b.pdf", files.pdf()), 422, "invalid_input", "control"),
    "C1 control in the name": (files.part("a\x85b.pdf", files.pdf()), 422, "invalid_input", "control"),
    "right-to-left override": (files.part("x\u202efdp.exe", files.pdf()), 422, "invalid_input", "control"),
    "only a folder": (files.part("../..", files.pdf()), 422, "invalid_input", "folder"),
    "no name": (files.part(None, files.pdf()), 422, "invalid_input", "no name"),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
async def test_bad_uploads_are_refused_naming_the_field_and_leave_nothing(
    http, estimator, project, services, case
):
    part, status, code, words = BAD_UPLOADS[case]
    body, headers = files.form(part)
    error = _refused(
        await http.post(url(project), content=body, headers={**estimator, **headers}), status, code
    )
    assert error["fields"][0]["field"] == "file"
    assert words in error["fields"][0]["message"]
    assert stored_files() == []
    assert await rows(services, project["project_id"]) == 0


async def test_malformed_forms_are_refused(http, estimator, project, services):
    h = estimator
    not_multipart = await http.post(url(project), json={"file": "x"}, headers=h)
    _refused(not_multipart, 415, "unsupported_media_type")
    body, headers = files.form(files.part(None, b"hello", field="note"))
    _refused(await http.post(url(project), content=body, headers={**h, **headers}), 400, "bad_request")
    body, headers = files.form(files.part("a.csv", files.csv()), files.part("b.csv", files.csv(2)))
    error = _refused(
        await http.post(url(project), content=body, headers={**h, **headers}), 400, "bad_request"
    )
    assert "one file per request" in error["message"]
    # Cut short: a whole request whose form never reaches its closing boundary.
    body, headers = files.form(files.part("survey.pdf", files.pdf()))
    error = _refused(
        await http.post(url(project), content=body[:-300], headers={**h, **headers}), 400, "bad_request"
    )
    assert "interrupted" in error["message"]
    assert stored_files() == []
    assert await rows(services, project["project_id"]) == 0


async def test_a_file_over_the_limit_is_refused_at_the_first_byte_over(http, estimator, project, services):
    limit = 1 * MiB
    services.files = FileService(services.files.uow, services.projects, services.files.blobs, max_bytes=limit)
    fits = await upload(http, project, estimator, "fits.csv", files.csv_of_size(limit))
    assert fits.status_code == 201, fits.text
    over = await upload(http, project, estimator, "big.csv", files.csv_of_size(limit + 1))
    error = _refused(over, 413, "payload_too_large")
    assert error["fields"] == [{"field": "file", "message": "larger than 1 MB"}]
    assert error["details"]["max_bytes"] == limit
    assert len(stored_files()) == 1 and await rows(services, project["project_id"]) == 1


async def test_a_body_far_over_the_limit_is_refused_by_the_guard_before_it_is_read(
    make_app, estimator, project
):
    app = make_app(max_upload_mb=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver") as client:
        response = await upload(client, project, estimator, "big.csv", files.csv_of_size(3 * MiB))
    _refused(response, 413, "payload_too_large")
    assert stored_files() == []


async def test_who_may_upload_view_and_delete(http, services, estimator, estimator2, ops, manager, project):
    own = await upload(http, project, estimator, "plan.pdf", files.pdf())
    file_id, etag = own.json()["result"]["file_id"], own.headers["etag"]
    for other in (estimator2, ops):
        _refused(await upload(http, project, other, "x.png", files.png()), 403, "forbidden")
        assert (await http.get(url(project), headers=other)).json()["result"]["total"] == 1
        assert (await http.get(url(project, file_id), headers=other)).status_code == 200
        denied = await http.delete(url(project, file_id), headers={**other, "If-Match": etag})
        _refused(denied, 403, "forbidden")
    assert (await upload(http, project, manager, "m.png", files.png())).status_code == 201
    assert stored_files().count(f"files/{hashlib.sha256(files.png()).hexdigest()}") == 1


async def test_an_accepted_project_is_read_only_for_its_files(http, services, estimator, manager, project):
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    boss = await services.users.authenticate_api_key(manager["X-API-Key"])
    kept = await upload(http, project, estimator, "plan.pdf", files.pdf())
    state = await save_passing_design(services, actor, await services.projects.get(project["project_id"]))
    for who, status in ((actor, Status.estimating), (actor, Status.submitted), (boss, Status.accepted)):
        state = await services.projects.transition(who, project["project_id"], status, if_match=state.etag)
    _refused(await upload(http, project, estimator, "late.png", files.png()), 409, "conflict")
    target = url(project, kept.json()["result"]["file_id"])
    gone = await http.delete(target, headers={**manager, "If-Match": kept.headers["etag"]})
    _refused(gone, 409, "conflict")
    assert stored_files() == [f"files/{hashlib.sha256(files.pdf()).hexdigest()}"]


async def test_unknown_projects_and_files(http, estimator, project):
    _refused(
        await upload(http, {"project_id": "not-a-uuid"}, estimator, "a.pdf", files.pdf()), 404, "not_found"
    )
    missing = {"project_id": "00000000-0000-4000-8000-000000000000"}
    _refused(await upload(http, missing, estimator, "a.pdf", files.pdf()), 404, "not_found")
    _refused(await http.get(url(project, "nope"), headers=estimator), 404, "not_found")
    _refused(await http.get(url(missing), headers=estimator), 404, "not_found")
    assert stored_files() == []


async def test_delete_needs_the_files_etag_is_audited_and_the_file_may_come_back(
    http, services, estimator, project
):
    data = files.dxf()
    up = await upload(http, project, estimator, "base.dxf", data)
    file_id, etag = up.json()["result"]["file_id"], up.headers["etag"]
    target = url(project, file_id)
    _refused(await http.delete(target, headers=estimator), 428, "precondition_required")
    _refused(await http.delete(target, headers={**estimator, "If-Match": "*"}), 428, "precondition_required")
    stale = await http.delete(target, headers={**estimator, "If-Match": '"' + "0" * 64 + '"'})
    _refused(stale, 412, "precondition_failed")
    assert stale.headers["etag"] == etag

    deleted = await http.delete(target, headers={**estimator, "If-Match": etag, "X-Request-ID": "del-1"})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["result"]["file_id"] == file_id
    assert (await http.get(url(project), headers=estimator)).json()["result"]["total"] == 0
    _refused(await http.get(target, headers=estimator), 404, "not_found")
    _refused(await http.delete(target, headers={**estimator, "If-Match": etag}), 404, "not_found")
    events = (await services.projects.events(project["project_id"])).items
    by_type = {e.event_type: e for e in events}
    assert by_type["file.deleted"].request_id == "del-1"
    assert by_type["file.deleted"].data["file_id"] == file_id
    assert by_type["file.uploaded"].data["sha256"] == etag.strip('"')

    # Soft: the bytes stay (the audit trail names them); the same content may be attached again.
    again = await upload(http, project, estimator, "base.dxf", data)
    assert again.status_code == 201 and again.json()["result"]["file_id"] != file_id
    assert stored_files() == [f"files/{etag.strip(chr(34))}"]


async def test_a_file_something_relies_on_is_kept(http, services, estimator, project):
    up = await upload(http, project, estimator, "survey.csv", files.csv())
    file_id = up.json()["result"]["file_id"]
    import uuid

    async with services.files.uow() as tx:
        await services.files.keep(tx.session, uuid.UUID(project["project_id"]), [file_id], by="submission:1")
    assert await services.files.referenced_file_ids(project["project_id"]) == {file_id: ["submission:1"]}
    refused = await http.delete(url(project, file_id), headers={**estimator, "If-Match": up.headers["etag"]})
    error = _refused(refused, 409, "conflict")
    assert error["details"]["referenced_by"] == ["submission:1"]
    assert (await http.get(url(project), headers=estimator)).json()["result"]["total"] == 1


async def test_a_damaged_file_never_downloads_whole(make_app, estimator, project):
    """Over real HTTP: the server checks the bytes as they go out and, when the last chunk does not
    hash to the stored SHA-256, ends the response short, which the client reports as a failure."""
    data = files.csv_of_size(2 * MiB)
    async with served(make_app()) as base, httpx.AsyncClient(base_url=base, trust_env=False) as client:
        up = await upload(client, project, estimator, "poles.csv", data)
        blob = blobs_root() / "files" / up.json()["result"]["sha256"]
        damaged = bytearray(data)
        damaged[-2] = ord("9") if damaged[-2] != ord("9") else ord("8")
        blob.write_bytes(bytes(damaged))
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete|without sending complete"):
            async with client.stream(
                "GET", url(project, up.json()["result"]["file_id"]), headers=estimator
            ) as r:
                assert r.status_code == 200
                async for chunk in r.aiter_raw():
                    received += chunk
    assert 0 < len(received) < len(data)
    assert bytes(received) == bytes(damaged[: len(received)])


async def test_an_upload_cut_off_midway_leaves_nothing(make_app, services, estimator, project):
    """A real client on a real socket sends half its file, then goes away."""
    data = files.csv_of_size(6 * MiB)
    body, headers = files.form(files.part("poles.csv", data))
    path = url(project)
    async with served(make_app()) as base:
        host, port = base.removeprefix("http://").split(":")
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {estimator['X-API-Key']}\r\n"
            f"Content-Type: {headers['Content-Type']}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(head + body[: 3 * MiB])
        await writer.drain()
        # The server is streaming it into the store: a staged file is growing.
        staged = lambda: any(p.startswith(".tmp/") for p in stored_files())  # noqa: E731
        await eventually(staged, seconds=10, what="the upload being staged")
        writer.transport.abort()  # the client goes away mid-body (a reset, no more bytes)
        await eventually(lambda: stored_files() == [], seconds=10, what="the staged upload removed")
    assert await rows(services, project["project_id"]) == 0
