"""``/api/batches``: preview an upload, create, read, pause, cancel, retry, results and zips.

Batches run to the end with the real worker on the offline provider (tiny, one-second clips); the
quota check runs against the GenAIPro emulator. Bob never sees anything of Alice's.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select, update

from framecast.core.settings import Settings, get_settings
from framecast.db.base import utcnow
from framecast.db.library import MediaFile
from framecast.db.models import Batch, Job
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.testing import EmulatorHandle, running_emulator
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.studio import batch_zips, zip_kind
from framecast.web.context import WebContext
from framecast.web.security.keys import store_key
from tests.web.conftest import Account

EMULATOR_KEY = "emulator-key-0001"
AROLL_TXT = "intro\nA heron lands on the river at dawn\n\nclose-up\nThe heron's eye, very close\n"


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    """A GenAIPro account with one credit that accepts only ``EMULATOR_KEY``."""
    config = EmulatorConfig(latency=0.1, api_key=EMULATOR_KEY, quota=1, media_seconds=1.0, media_size=64)
    with running_emulator(config) as handle:
        yield handle


@pytest.fixture
def settings(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Small, fast offline renders, and the emulator as GenAIPro when a test asks for it."""
    monkeypatch.setenv("FRAMECAST_OFFLINE__SECONDS", "1")
    monkeypatch.setenv("FRAMECAST_OFFLINE__SHORT_SIDE", "144")
    monkeypatch.setenv("FRAMECAST_JOBS__POLL_S", "0.05")
    if "emulator" in request.fixturenames:
        handle: EmulatorHandle = request.getfixturevalue("emulator")
        monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", handle.base_url)
        monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", EMULATOR_KEY)
    get_settings.cache_clear()
    return get_settings()


# -- helpers --------------------------------------------------------------------------------------


def image(fmt: str = "PNG", color: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), color).save(buffer, format=fmt)
    return buffer.getvalue()


def preview(
    client: TestClient,
    account: Account,
    kind: str,
    file: tuple[str, bytes] | None,
    *,
    frame: tuple[str, bytes] | None = None,
    reference: tuple[str, bytes] | None = None,
    images: Sequence[tuple[str, bytes]] = (),
    provider: str = "offline",
    form: dict[str, str] | None = None,
) -> Any:
    parts: list[tuple[str, tuple[str, bytes]]] = []
    if file is not None:
        parts.append(("file", file))
    if frame is not None:
        parts.append(("frame", frame))
    if reference is not None:
        parts.append(("reference", reference))
    parts.extend(("images", item) for item in images)
    return client.post(
        "/api/batches/preview",
        data={"kind": kind, "provider": provider, **(form or {})},
        files=parts or None,
        headers=account.headers,
    )


def aroll_preview(client: TestClient, account: Account, text: str = AROLL_TXT) -> dict[str, Any]:
    response = preview(client, account, "aroll", ("shots.txt", text.encode()), frame=("frame.png", image()))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create(client: TestClient, account: Account, upload_id: str, **fields: Any) -> Any:
    return client.post("/api/batches", json={"upload_id": upload_id, **fields}, headers=account.headers)


def started(client: TestClient, account: Account, text: str = AROLL_TXT) -> dict[str, Any]:
    response = create(client, account, aroll_preview(client, account, text)["upload_id"])
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def footage_batch(client: TestClient, account: Account) -> dict[str, Any]:
    """A B-roll footage batch of two items, each from its own numbered image."""
    csv_text = "id,prompt,image_number\nsunrise,Sun over the hills,1\nharbour,Boats at rest,2\n"
    response = preview(
        client,
        account,
        "broll-footage",
        ("footage.csv", csv_text.encode()),
        images=[("1_hills.png", image()), ("2_boats.jpg", image("JPEG", (20, 60, 200)))],
    )
    assert response.status_code == 200, response.text
    created = create(client, account, response.json()["upload_id"])
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def get_batch(client: TestClient, account: Account, batch_id: int) -> dict[str, Any]:
    response = client.get(f"/api/batches/{batch_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def run_worker(web: WebContext, settings: Settings, batch_id: int) -> None:
    """The real worker, until the batch has nothing left that it may run."""

    async def main() -> None:
        worker = Worker(web.db, settings, providers=["offline"], batch_id=batch_id)
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())


def built_zip(
    client: TestClient, web: WebContext, settings: Settings, account: Account, batch_id: int
) -> Any:
    """Ask for the batch's ZIP, let a worker build it, and answer its state once built."""
    asked = client.post(f"/api/batches/{batch_id}/zip", headers=account.headers)
    assert asked.status_code in (200, 202), asked.text

    async def main() -> None:
        worker = Worker(web.db, settings, kinds=[zip_kind.KIND])
        try:
            await worker.run(until_done=True)
        finally:
            await worker.aclose()

    asyncio.run(main())
    answer = client.get(asked.json()["status_url"], headers=account.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "succeeded", answer.text
    return answer.json()


def states(batch: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: item["state"] for item in batch["items"]}


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def out_dir(web: WebContext, batch_id: int) -> Path:
    with web.db.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return Path(batch.out_dir)


# -- preview --------------------------------------------------------------------------------------


def test_a_txt_preview_lists_each_item_with_its_line_and_frame(client: TestClient, alice: Account) -> None:
    body = aroll_preview(client, alice)

    assert body["kind"] == "aroll"
    assert body["source_name"] == "shots.txt"
    assert body["items"] == [
        {
            "key": "intro",
            "prompt": "A heron lands on the river at dawn",
            "count": 1,
            "line": 1,
            "image": "frame.png",
        },
        {
            "key": "close-up",
            "prompt": "The heron's eye, very close",
            "count": 1,
            "line": 4,
            "image": "frame.png",
        },
    ]
    # The offline renderer is free and unlimited.
    assert (body["credits_needed"], body["paid"]) == (0, False)
    assert body["quota"] == {"available": None}
    assert body["enough_quota"] is True
    assert len(body["upload_id"]) >= 16


def test_a_csv_with_a_bom_and_crlf_line_ends_previews_its_counts(client: TestClient, alice: Account) -> None:
    text = (
        '\ufeffid,prompt,number_of_images,aspect_ratio\r\nfox,"A fox, in snow",3,square\r\nowl,An owl,,\r\n'
    )

    response = preview(
        client, alice, "broll-images", ("stills.csv", text.encode()), reference=("look.webp", image("WEBP"))
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert [(i["key"], i["prompt"], i["count"], i["line"], i["image"]) for i in body["items"]] == [
        ("fox", "A fox, in snow", 3, 2, "look.webp"),
        ("owl", "An owl", 1, 3, "look.webp"),
    ]
    assert body["credits_needed"] == 0  # offline: free


def test_a_bad_csv_row_is_refused_naming_the_file_and_line(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    text = "id,prompt,number_of_videos\na,first,1\nb,second,7\n"

    response = preview(client, alice, "aroll", ("my shots.csv", text.encode()), frame=("f.png", image()))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_batch_file"
    assert error["details"]["file"] == "my shots.csv"
    assert error["details"]["line"] == 3
    assert error["message"].startswith("my shots.csv, line 3: count must be a whole number from 1 to 4")
    # Nothing of the refused upload is kept, and the server's folders are not shown.
    assert str(web.settings.data_dir) not in error["message"]
    assert not any((web.upload_root / str(alice.user_id) / "batches").iterdir())


def test_an_aroll_preview_without_a_frame_is_refused(client: TestClient, alice: Account) -> None:
    response = preview(client, alice, "aroll", ("shots.txt", AROLL_TXT.encode()))

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Start frame: A-roll needs a start frame")


@pytest.mark.parametrize(
    ("kind", "file", "extra", "message"),
    [
        ("sideways", ("a.txt", b"a"), {}, "Batch kind: unknown batch kind 'sideways'"),
        ("pipeline", None, {}, "Prompts file: choose the TXT or CSV file"),
        ("pipeline", ("a.xlsx", b"a"), {}, "a.xlsx: unsupported file type '.xlsx'"),
        ("pipeline", ("a.txt", b"a"), {"aspect": "square"}, "Aspect: video can be landscape or portrait"),
        ("pipeline", ("a.txt", b"a"), {"provider": "nowhere"}, "Provider: unknown provider 'nowhere'"),
        ("broll-footage", ("a.txt", b"1"), {}, "Numbered images: B-roll footage needs numbered start images"),
    ],
)
def test_a_bad_preview_form_is_refused_naming_the_field(
    client: TestClient,
    alice: Account,
    kind: str,
    file: tuple[str, bytes] | None,
    extra: dict[str, str],
    message: str,
) -> None:
    response = preview(client, alice, kind, file, form=extra)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(message)


def test_an_image_the_kind_does_not_use_is_refused(client: TestClient, alice: Account) -> None:
    response = preview(client, alice, "pipeline", ("a.txt", b"a"), frame=("f.png", image()))

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Start frame: a pipeline batch takes no start frame"


def test_a_frame_that_is_not_an_image_is_refused_by_content(client: TestClient, alice: Account) -> None:
    response = preview(client, alice, "aroll", ("a.txt", b"a"), frame=("frame.png", b"GIF89a" + b"\0" * 40))

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Start frame: GIF images are not accepted")


def test_a_batch_file_over_the_limit_is_refused(client: TestClient, web: WebContext, alice: Account) -> None:
    web.settings.web.max_batch_file_bytes = 100

    response = preview(client, alice, "pipeline", ("big.txt", b"a prompt\n" * 20))

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Prompts file: the batch file is larger than")


def test_broll_footage_matches_numbered_images_by_their_names(client: TestClient, alice: Account) -> None:
    text = (
        "id,prompt,image_number\n"
        "hills,Sun over the hills,1\n2,Boats at rest,\n10,A lighthouse,\nagain,Hills again,1\n"
    )

    response = preview(
        client,
        alice,
        "broll-footage",
        ("footage.csv", text.encode()),
        images=[
            ("1_hills.jpg", image("JPEG")),
            ("C:\\Users\\me\\2.png", image()),
            ("10_light house.webp", image("WEBP")),
            # A PNG named .jpg keeps its number and gets the extension of what it is.
            ("7_wrong.jpg", image()),
            ("cover.png", image()),
        ],
    )

    assert response.status_code == 200, response.text
    assert [(i["key"], i["image"]) for i in response.json()["items"]] == [
        ("hills", "1_hills.jpg"),
        ("2", "2.png"),
        ("10", "10_light house.webp"),
        ("again", "1_hills.jpg"),
    ]


def test_an_item_without_its_numbered_image_is_refused_naming_it(client: TestClient, alice: Account) -> None:
    text = "id,prompt\n1,First\n3,Third\n"

    response = preview(
        client,
        alice,
        "broll-footage",
        ("f.csv", text.encode()),
        images=[("1.png", image()), ("2.png", image())],
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "no image numbered 3 for item '3' (line 3)"


def test_numbered_images_that_are_not_images_or_carry_no_number_are_refused(
    client: TestClient, alice: Account
) -> None:
    text = b"id,prompt\n1,First\n"
    not_image = preview(
        client, alice, "broll-footage", ("f.csv", text), images=[("1.png", image()), ("2_x.jpg", b"hello")]
    )
    unnumbered = preview(client, alice, "broll-footage", ("f.csv", text), images=[("cover.png", image())])

    assert not_image.status_code == 400
    assert not_image.json()["error"]["message"].startswith("Numbered images: 2_x.jpg: not an image")
    assert unnumbered.status_code == 400
    assert unnumbered.json()["error"]["message"].startswith(
        "Numbered images: none of the images has a number"
    )


# -- create and run -------------------------------------------------------------------------------


def test_an_aroll_batch_runs_to_the_end_with_results_and_zip_parts(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = started(client, alice)
    assert created["kind"] == "aroll"
    assert created["provider"] == "offline"
    assert created["paused"] is False
    assert created["counts"] == {"queued": 2}
    assert states(created) == {"intro": "queued", "close-up": "queued"}
    batch_id = created["id"]

    run_worker(web, settings, batch_id)

    batch = get_batch(client, alice, batch_id)
    assert batch["counts"] == {"succeeded": 2}
    assert batch["finished"] is True
    items = {item["key"]: item for item in batch["items"]}
    assert [f["name"] for f in items["intro"]["files"]] == ["intro.mp4"]
    assert items["intro"]["error"] is None
    assert len(items["intro"]["job_ids"]) == 1
    files = out_dir(web, batch_id)
    assert files == web.media_root / str(alice.user_id) / "batches" / files.name
    video = client.get(items["intro"]["files"][0]["url"], headers=alice.headers)
    assert video.status_code == 200
    assert video.content == (files / "intro.mp4").read_bytes()

    results = client.get(f"/api/batches/{batch_id}/results.csv", headers=alice.headers)
    assert results.status_code == 200
    assert results.headers["content-type"].startswith("text/csv")
    assert [(r["id"], r["status"], r["files"]) for r in csv_rows(results)] == [
        ("intro", "succeeded", "intro.mp4"),
        ("close-up", "succeeded", "close-up.mp4"),
    ]
    failed = client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers)
    assert failed.status_code == 404

    # Parts small enough that each clip needs its own.
    monkeypatch.setattr(
        batch_zips, "MAX_PART_BYTES", max(p.stat().st_size for p in files.glob("*.mp4")) + 400
    )
    parts = built_zip(client, web, settings, alice, batch_id)["parts"]
    assert [(p["index"], p["url"]) for p in parts] == [
        (1, f"/api/batches/{batch_id}/zip/1"),
        (2, f"/api/batches/{batch_id}/zip/2"),
    ]
    unpacked: dict[str, bytes] = {}
    for part in parts:
        download = client.get(part["url"], headers=alice.headers)
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/zip"
        assert len(download.content) == part["bytes"] <= batch_zips.MAX_PART_BYTES
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            unpacked.update({name: archive.read(name) for name in archive.namelist()})
    assert unpacked == {name: (files / name).read_bytes() for name in ("intro.mp4", "close-up.mp4")}
    missing = client.get(f"/api/batches/{batch_id}/zip/3", headers=alice.headers)
    assert missing.status_code == 404


def test_the_zip_is_built_again_when_the_files_change(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = started(client, alice)["id"]
    empty = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    assert empty.status_code == 200
    assert (empty.json()["state"], empty.json()["parts"]) == ("succeeded", [])
    run_worker(web, settings, batch_id)

    first = built_zip(client, web, settings, alice, batch_id)
    again = client.post(f"/api/batches/{batch_id}/zip", headers=alice.headers)
    assert again.status_code == 200
    assert again.json()["parts"] == first["parts"]
    assert [p["name"] for p in first["parts"]] == [f"batch_{batch_id}.zip"]
    # Deleting a file from the library removes it from disk; the zip is out of date until rebuilt.
    intro = get_batch(client, alice, batch_id)["items"][0]["files"][0]
    assert client.delete(f"/api/files/{intro['id']}", headers=alice.headers).status_code == 204
    stale = client.get(f"/api/batches/{batch_id}/zip", headers=alice.headers).json()
    assert (stale["state"], stale["parts"]) == ("none", [])
    refused = client.get(first["parts"][0]["url"], headers=alice.headers)
    assert refused.status_code == 409
    rebuilt = built_zip(client, web, settings, alice, batch_id)["parts"]
    download = client.get(rebuilt[0]["url"], headers=alice.headers)

    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.namelist() == ["close-up.mp4"]


def test_a_pipeline_item_has_two_jobs_and_both_files(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    response = preview(client, alice, "pipeline", ("p.txt", b"dawn\nA heron at dawn\n"))
    assert response.status_code == 200, response.text
    assert response.json()["credits_needed"] == 0  # offline: free
    created = create(client, alice, response.json()["upload_id"]).json()
    assert created["counts"] == {"queued": 1}

    run_worker(web, settings, created["id"])

    (item,) = get_batch(client, alice, created["id"])["items"]
    assert item["state"] == "succeeded"
    assert len(item["job_ids"]) == 2
    assert [f["name"] for f in item["files"]] == ["dawn_frame.png", "dawn.mp4"]


def test_a_failed_item_is_in_failed_csv_and_succeeds_when_retried(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = footage_batch(client, alice)["id"]
    with web.db.session() as session:
        job = session.scalars(select(Job).where(Job.batch_id == batch_id, Job.item_key == "harbour")).one()
        harbour_image = Path(job.request["start_image"])
    kept = harbour_image.read_bytes()
    harbour_image.unlink()  # the offline renderer cannot read it: the item fails

    run_worker(web, settings, batch_id)

    batch = get_batch(client, alice, batch_id)
    assert states(batch) == {"sunrise": "succeeded", "harbour": "failed"}
    assert batch["counts"] == {"succeeded": 1, "failed": 1}
    harbour = batch["items"][1]
    assert harbour["files"] == []
    assert harbour["error"]["message"]
    failed = client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers)
    assert failed.status_code == 200
    assert csv_rows(failed) == [
        {"id": "harbour", "prompt": "Boats at rest", "number_of_videos": "1", "image_number": "2"}
    ]
    results = csv_rows(client.get(f"/api/batches/{batch_id}/results.csv", headers=alice.headers))
    assert [(r["id"], r["status"]) for r in results] == [("sunrise", "succeeded"), ("harbour", "failed")]

    harbour_image.write_bytes(kept)
    retried = client.post(f"/api/batches/{batch_id}/items/harbour/retry", headers=alice.headers)
    assert retried.status_code == 200, retried.text
    assert states(retried.json()) == {"sunrise": "succeeded", "harbour": "queued"}
    run_worker(web, settings, batch_id)

    assert states(get_batch(client, alice, batch_id)) == {"sunrise": "succeeded", "harbour": "succeeded"}
    assert client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers).status_code == 404


def test_retrying_an_item_that_did_not_fail_is_a_conflict(client: TestClient, alice: Account) -> None:
    batch_id = started(client, alice)["id"]

    queued = client.post(f"/api/batches/{batch_id}/items/intro/retry", headers=alice.headers)
    unknown = client.post(f"/api/batches/{batch_id}/items/nope/retry", headers=alice.headers)

    assert queued.status_code == 409
    assert unknown.status_code == 404


def test_an_item_whose_id_holds_a_slash_and_spaces_is_retried_by_its_quoted_id(
    client: TestClient, alice: Account
) -> None:
    batch_id = started(client, alice, "scene 1/a\nA fox in snow\n")["id"]
    client.post(f"/api/batches/{batch_id}/cancel", headers=alice.headers)

    response = client.post(
        f"/api/batches/{batch_id}/items/{quote('scene 1/a', safe='')}/retry", headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert states(response.json()) == {"scene 1/a": "queued"}


def test_pausing_holds_the_queued_jobs_until_resumed(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = started(client, alice)["id"]

    paused = client.post(f"/api/batches/{batch_id}/pause", headers=alice.headers)
    assert paused.status_code == 200
    assert paused.json()["paused"] is True
    assert paused.json()["counts"] == {"paused": 2}
    run_worker(web, settings, batch_id)  # finds nothing it may run
    assert states(get_batch(client, alice, batch_id)) == {"intro": "paused", "close-up": "paused"}

    resumed = client.post(f"/api/batches/{batch_id}/resume", headers=alice.headers)
    assert resumed.json()["paused"] is False
    assert resumed.json()["counts"] == {"queued": 2}
    run_worker(web, settings, batch_id)

    assert get_batch(client, alice, batch_id)["counts"] == {"succeeded": 2}


def test_cancel_ends_every_unfinished_item_and_one_can_be_retried(
    client: TestClient, web: WebContext, settings: Settings, alice: Account
) -> None:
    batch_id = started(client, alice)["id"]

    cancelled = client.post(f"/api/batches/{batch_id}/cancel", headers=alice.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["counts"] == {"cancelled": 2}
    assert cancelled.json()["finished"] is True
    client.post(f"/api/batches/{batch_id}/items/close-up/retry", headers=alice.headers)
    run_worker(web, settings, batch_id)

    assert states(get_batch(client, alice, batch_id)) == {"intro": "cancelled", "close-up": "succeeded"}
    failed = csv_rows(client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers))
    assert [row["id"] for row in failed] == ["intro"]


def set_item_state(web: WebContext, batch_id: int, key: str, state: JobState, **values: Any) -> None:
    with web.db.session() as session:
        session.execute(
            update(Job)
            .where(Job.batch_id == batch_id, Job.item_key == key)
            .values(state=state.value, **values)
        )


def test_an_item_is_cancelled_on_its_own_and_the_answer_counts_it(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    batch_id = started(client, alice)["id"]

    response = client.post(f"/api/batches/{batch_id}/items/intro/cancel", headers=alice.headers)
    again = client.post(f"/api/batches/{batch_id}/items/intro/cancel", headers=alice.headers)
    unknown = client.post(f"/api/batches/{batch_id}/items/nope/cancel", headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json()["cancel"] == {"cancelled": 1, "already_sent": 0, "message": "Stopped 1 item."}
    assert states(response.json()) == {"intro": "cancelled", "close-up": "queued"}
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "Item intro has already finished; there is nothing to cancel."
    assert unknown.status_code == 404


def test_cancelling_the_rest_reports_what_stopped_and_what_was_already_sent(
    emulator: EmulatorHandle, client: TestClient, web: WebContext, alice: Account
) -> None:
    body = preview(
        client,
        alice,
        "aroll",
        ("shots.txt", AROLL_TXT.encode()),
        frame=("f.png", image()),
        provider="genaipro",
    ).json()
    batch_id = create(client, alice, body["upload_id"], force=True).json()["id"]
    set_item_state(web, batch_id, "intro", JobState.RUNNING, lease_owner="w", submitted_at=utcnow())

    response = client.post(f"/api/batches/{batch_id}/cancel", headers=alice.headers)
    item = client.post(f"/api/batches/{batch_id}/items/intro/cancel", headers=alice.headers)

    cancel = response.json()["cancel"]
    assert (cancel["cancelled"], cancel["already_sent"]) == (1, 1)
    assert cancel["message"] == (
        "Stopped 1 item. 1 item was already sent to GenAIPro · Veo: it will finish and be charged, and "
        "its result will be kept."
    )
    assert states(response.json()) == {"intro": "running", "close-up": "cancelled"}
    close_up = next(i for i in response.json()["items"] if i["key"] == "close-up")
    assert close_up["retry_credits"] == 1  # retrying it would cost one credit again
    assert response.json()["paid"] is True
    assert item.status_code == 409
    assert "already sent" in item.json()["error"]["message"]


def test_failed_csv_never_lists_an_item_that_is_still_running_or_queued(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    text = "a\nA heron\n\nb\nA fox\n\nc\nAn owl\n\nd\nA hare\n"
    batch_id = started(client, alice, text)["id"]
    set_item_state(web, batch_id, "a", JobState.RUNNING, submitted_at=utcnow())
    set_item_state(web, batch_id, "b", JobState.RECONCILING, submitted_at=utcnow())
    set_item_state(
        web,
        batch_id,
        "d",
        JobState.FAILED,
        charged=True,
        error_category="server",
        error_message="Create video error",
    )
    client.post(f"/api/batches/{batch_id}/items/c/cancel", headers=alice.headers)

    failed = csv_rows(client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers))
    results = csv_rows(client.get(f"/api/batches/{batch_id}/results.csv", headers=alice.headers))
    batch = get_batch(client, alice, batch_id)

    assert [row["id"] for row in failed] == ["c", "d"]
    assert {row["id"]: row["status"] for row in results} == {
        "a": "running",
        "b": "reconciling",
        "c": "cancelled",
        "d": "failed",
    }
    assert next(row for row in results if row["id"] == "d")["error"] == (
        "charged by the provider: Create video error"
    )
    assert states(batch) == {"a": "running", "b": "reconciling", "c": "cancelled", "d": "failed"}
    d = next(item for item in batch["items"] if item["key"] == "d")
    assert (d["charged"], d["error"]["charged"], d["retry_credits"]) == (True, True, 0)  # offline: free


def test_failed_csv_is_404_while_nothing_has_failed(client: TestClient, alice: Account) -> None:
    batch_id = started(client, alice)["id"]

    response = client.get(f"/api/batches/{batch_id}/failed.csv", headers=alice.headers)

    assert response.status_code == 404


def test_the_list_is_newest_first_without_items(client: TestClient, alice: Account) -> None:
    first = started(client, alice)["id"]
    second = started(client, alice, "one\n")["id"]

    response = client.get("/api/batches", headers=alice.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [(b["id"], b["item_count"], b["counts"]) for b in body["items"]] == [
        (second, 1, {"queued": 1}),
        (first, 2, {"queued": 2}),
    ]
    assert all("items" not in b for b in body["items"])
    assert (
        client.get("/api/batches?limit=1&offset=1", headers=alice.headers).json()["items"][0]["id"] == first
    )


def test_creating_twice_from_one_upload_resumes_the_same_batch(client: TestClient, alice: Account) -> None:
    upload_id = aroll_preview(client, alice)["upload_id"]

    first = create(client, alice, upload_id).json()
    second = create(client, alice, upload_id).json()

    assert second["id"] == first["id"]
    assert second["counts"] == {"queued": 2}


def test_an_unknown_upload_id_is_404(client: TestClient, alice: Account) -> None:
    for upload_id in ("x" * 24, "../../etc", "a/b"):
        response = create(client, alice, upload_id)
        assert response.status_code == 404, upload_id


# -- quota ----------------------------------------------------------------------------------------


def test_a_batch_that_needs_more_credits_than_available_is_refused_unless_forced(
    emulator: EmulatorHandle, client: TestClient, web: WebContext, alice: Account
) -> None:
    response = preview(
        client,
        alice,
        "aroll",
        ("shots.txt", AROLL_TXT.encode()),
        frame=("frame.png", image()),
        provider="genaipro",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["credits_needed"], body["quota"], body["enough_quota"]) == (2, {"available": 1}, False)

    refused = create(client, alice, body["upload_id"])
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "needs up to 2 credits" in message
    assert "has 1 available" in message
    with web.db.session() as session:
        assert session.scalar(select(Batch.id)) is None

    forced = create(client, alice, body["upload_id"], force=True)
    assert forced.status_code == 201, forced.text
    assert forced.json()["provider"] == "genaipro"
    assert forced.json()["counts"] == {"queued": 2}
    assert emulator.stats()["accepted"] == 0  # reading the quota costs nothing


def test_the_quota_is_read_with_the_users_own_key_first(
    emulator: EmulatorHandle, client: TestClient, web: WebContext, alice: Account, bob: Account
) -> None:
    web.settings.genaipro.api_key = None  # no platform key: only a user's own key can read the quota
    store_key(web.db, web.fernet, alice.user_id, "genaipro", EMULATOR_KEY)
    file = ("shots.txt", AROLL_TXT.encode())

    mine = preview(client, alice, "aroll", file, frame=("f.png", image()), provider="genaipro").json()
    keyless = preview(client, bob, "aroll", file, frame=("f.png", image()), provider="genaipro").json()

    assert mine["quota"] == {"available": 1}
    assert keyless["quota"] is None
    assert keyless["enough_quota"] is None
    assert "no GenAIPro API key" in keyless["quota_error"]


def test_a_paid_preview_counts_the_credits_of_every_image_and_video(
    emulator: EmulatorHandle, client: TestClient, alice: Account
) -> None:
    text = "id,prompt,number_of_images\nfox,A fox,3\nowl,An owl,\n"

    body = preview(client, alice, "broll-images", ("s.csv", text.encode()), provider="genaipro").json()
    pipeline = preview(client, alice, "pipeline", ("p.txt", b"dawn\nA heron\n"), provider="genaipro").json()

    assert (body["credits_needed"], body["paid"], body["provider_label"]) == (4, True, "GenAIPro · Veo")
    assert pipeline["credits_needed"] == 2  # the image, then the video made from it


# -- isolation and authentication -----------------------------------------------------------------


def test_bob_can_reach_nothing_of_alices_batch(
    client: TestClient, web: WebContext, settings: Settings, alice: Account, bob: Account
) -> None:
    upload_id = aroll_preview(client, alice)["upload_id"]
    batch_id = create(client, alice, upload_id).json()["id"]
    run_worker(web, settings, batch_id)

    assert client.get("/api/batches", headers=bob.headers).json() == {"items": [], "total": 0}
    assert create(client, bob, upload_id).status_code == 404
    for method, path in [
        ("GET", f"/api/batches/{batch_id}"),
        ("POST", f"/api/batches/{batch_id}/pause"),
        ("POST", f"/api/batches/{batch_id}/resume"),
        ("POST", f"/api/batches/{batch_id}/cancel"),
        ("POST", f"/api/batches/{batch_id}/items/intro/retry"),
        ("POST", f"/api/batches/{batch_id}/zip"),
        ("GET", f"/api/batches/{batch_id}/zip"),
        ("GET", f"/api/batches/{batch_id}/zip/1"),
        ("GET", f"/api/batches/{batch_id}/results.csv"),
        ("GET", f"/api/batches/{batch_id}/failed.csv"),
    ]:
        response = client.request(method, path, headers=bob.headers)
        assert response.status_code == 404, path
        assert response.json()["error"]["message"] == f"no batch {batch_id}", path
    assert get_batch(client, alice, batch_id)["paused"] is False
    with web.db.session() as session:
        owners = set(session.scalars(select(MediaFile.owner_id)))
    assert owners == {alice.user_id}


def test_every_batch_route_needs_a_login(client: TestClient) -> None:
    for method, path in [
        ("POST", "/api/batches/preview"),
        ("POST", "/api/batches"),
        ("GET", "/api/batches"),
        ("GET", "/api/batches/1"),
        ("POST", "/api/batches/1/pause"),
        ("POST", "/api/batches/1/resume"),
        ("POST", "/api/batches/1/cancel"),
        ("POST", "/api/batches/1/items/a/retry"),
        ("POST", "/api/batches/1/zip"),
        ("GET", "/api/batches/1/zip"),
        ("GET", "/api/batches/1/zip/1"),
        ("GET", "/api/batches/1/results.csv"),
        ("GET", "/api/batches/1/failed.csv"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 401, path
        assert response.json()["error"]["type"] == "not_authenticated", path
