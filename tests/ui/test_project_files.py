"""The project page's Files tab: upload (through the page's session route, as the uploader sends
each file), the list, the download, delete with a confirmation, and what a viewer who may not
change the project sees.

The simulated browser runs no JavaScript, so each file is sent the way the uploader would send
it (a POST with this browser's session cookie) and the uploader's outcome event is then given to
the page with the server's answer, as the browser would; the browser test does it for real."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from ui_helpers import eventually, make_project, new_user, submit_login

from components.file_list import human_size
from tests import files


def marked(user: User, marker: str) -> list[Any]:
    return [e for e in user.current_layout.descendants() if marker in e._markers]


def click(user: User, element: Any) -> None:
    UserInteraction(user, {element}, None).click()


def texts(user: User, marker: str) -> list[str]:
    return [getattr(e, "text", "") for e in marked(user, marker)]


async def send(user: User, project_id: str, name: str, data: bytes) -> httpx.Response:
    """One file as the uploader sends it, then its outcome handed to the page."""
    response = await user.http_client.post(f"/projects/{project_id}/files", files={"file": (name, data)})
    event = "uploaded" if response.status_code < 300 else "failed"
    user.find(marker="file-upload").trigger(
        event, {"names": [name], "status": response.status_code, "body": response.text}
    )
    return response


async def test_upload_several_list_download_and_delete(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="tab-files").click()
    await user.should_see(marker="no-files")
    await user.should_see("0 files")

    pdf, png = files.pdf("Site survey"), files.png()
    first = await send(user, project.project_id, "survey.pdf", pdf)
    assert first.status_code == 201, first.text
    await user.should_see("“survey.pdf” added (PDF).")
    second = await send(user, project.project_id, "photo north.png", png)
    assert second.status_code == 201
    await user.should_see("“photo north.png” added (PNG).")
    await eventually(lambda: len(marked(user, "file-row")) == 2, what="two files listed")
    await user.should_see("2 files")
    assert texts(user, "file-download") == ["photo north.png", "survey.pdf"]  # newest first
    assert texts(user, "file-kind") == ["PNG", "PDF"]
    assert texts(user, "file-uploader") == [me.email, me.email]
    assert texts(user, "file-sha")[1] == hashlib.sha256(pdf).hexdigest()[:12]
    assert texts(user, "file-size")[1] == human_size(len(pdf))
    # Recent: relative, with the exact local time (and its zone) on hover.
    assert texts(user, "file-when") == ["just now", "just now"]
    hovers = [el.props.get("text") for w in marked(user, "file-when") for el in w.default_slot.children]
    assert all(h and len(h.split(" (")[0]) == len("2026-01-01 12:00") for h in hovers), hovers

    # The same photo again: stored once, the page says so.
    again = await send(user, project.project_id, "copy.png", png)
    assert again.status_code == 200
    await user.should_see("“copy.png” is already attached as “photo north.png”.")

    # A disguised executable: refused with the reason, nothing listed.
    refused = await send(user, project.project_id, "invoice.pdf", files.exe())
    assert refused.status_code == 415
    await user.should_see("“invoice.pdf” was not added: The file's content is not an allowed kind")
    assert len(marked(user, "file-row")) == 2

    # The download link goes through this browser's session.
    link = next(e for e in marked(user, "file-download") if e.text == "survey.pdf")
    download = await user.http_client.get(link.props["href"])
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="survey.pdf"')

    # Delete asks first; cancelling keeps the file.
    click(user, marked(user, "file-delete")[1])  # the second row: survey.pdf
    await user.should_see("Delete “survey.pdf”?")
    user.find(marker="confirm-cancel").click()
    await user.should_not_see("Delete “survey.pdf”?")
    assert len(marked(user, "file-row")) == 2
    click(user, marked(user, "file-delete")[1])
    user.find(marker="confirm-ok").click()
    await user.should_see("“survey.pdf” deleted.")
    await eventually(lambda: texts(user, "file-download") == ["photo north.png"], what="the file gone")
    listed = await services.files.list(project.project_id)
    assert [f.name for f in listed.items] == ["photo north.png"]
    events = (await services.projects.events(project.project_id)).items
    assert [e.event_type for e in events][:3] == ["file.deleted", "file.uploaded", "file.uploaded"]
    assert events[0].request_id and events[0].request_id.startswith("ui-")
    gone = await user.http_client.get(link.props["href"])
    assert gone.status_code == 404


async def test_a_viewer_who_may_not_change_the_project_downloads_but_cannot_add_or_delete(
    services, user: User
):
    owner, _ = await new_user(services, "estimator", "owner@signx.test")
    project = await make_project(services, owner, "Oak Ave Monument")
    stored = await services.files.upload(
        owner, project.project_id, name="plan.dxf", chunks=_one(files.dxf()), request_id="test"
    )
    other, password = await new_user(services, "estimator", "other@signx.test")
    await user.open("/login")
    await submit_login(user, other.email, password)
    await user.should_see(marker="logout", retries=40)
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="tab-files").click()
    await user.should_see(marker="files-read-only")
    await user.should_not_see(marker="file-upload")
    await user.should_not_see(marker="file-delete")
    await eventually(lambda: texts(user, "file-download") == ["plan.dxf"], what="the file listed")
    assert texts(user, "file-uploader") == ["owner@signx.test"]
    download = await user.http_client.get(f"/projects/{project.project_id}/files/{stored.file.file_id}")
    assert download.content == files.dxf()
    # The upload route refuses them too, whatever the page shows.
    refused = await user.http_client.post(
        f"/projects/{project.project_id}/files", files={"file": ("x.png", files.png())}
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


async def test_signed_out_and_foreign_uploads_are_refused(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Elm St Pylon")
    url = f"/projects/{project.project_id}/files"
    foreign = await user.http_client.post(
        url, files={"file": ("a.png", files.png())}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    await user.http_client.get("/logout")
    anonymous = await user.http_client.post(url, files={"file": ("a.png", files.png())})
    assert anonymous.status_code in (303, 401)
    assert (await services.files.list(project.project_id)).total == 0


async def _one(data: bytes):  # type: ignore[no-untyped-def]
    yield data
