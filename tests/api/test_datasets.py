"""/api/datasets over HTTP: the catalogue, uploads, and every kind of refusal (4xx, never 500)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.data.registry import MAX_PARSES
from app.main import create_app
from tests.utils import ADMIN, DATA_DIR, another_browser, until


def table(rows: int = 40, cols: int = 4, header: bool = True) -> bytes:
    rng = np.random.default_rng(rows * 100 + cols)
    values = rng.standard_normal((rows, cols))
    lines = [",".join(f"f{j}" for j in range(cols - 1)) + ",target"] if header else []
    lines += [",".join(f"{v:.6f}" for v in row) for row in values]
    return ("\n".join(lines) + "\n").encode()


def upload(client: TestClient, content: bytes, name: str = "data.csv") -> dict[str, Any]:
    response = client.post("/api/datasets", files={"file": (name, content, "text/csv")})
    return {"status": response.status_code, "body": response.json(), "headers": response.headers}


def refusal(client: TestClient, content: bytes) -> str:
    answer = upload(client, content)
    assert answer["status"] == 422, answer
    [error] = answer["body"]["detail"]
    assert error["field"] == "file"
    return str(error["msg"])


@pytest.mark.skipif(not (Path(DATA_DIR) / "airfoil_self_noise.dat").is_file(), reason="no airfoil data")
def test_the_catalogue_lists_airfoil_and_synthetic(client: TestClient) -> None:
    listed = client.get("/api/datasets").json()
    assert [d["id"] for d in listed][:2] == ["airfoil", "synthetic"]
    airfoil, synthetic = listed[0], listed[1]
    assert airfoil["available"] and airfoil["reason"] is None and (airfoil["rows"], airfoil["features"]) == (1500, 5)
    assert not airfoil["synthetic"]
    assert synthetic["synthetic"] and "synthetic" in synthetic["label"].lower() and synthetic["rows"] == 1500


def test_without_the_airfoil_file_the_app_starts_and_says_why(settings: Settings, tmp_path: Path) -> None:
    with TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}))) as client:
        assert client.get("/healthz").status_code == 200
        airfoil = client.get("/api/datasets/airfoil").json()
        assert airfoil["available"] is False and "not found" in airfoil["reason"] and airfoil["rows"] is None
        assert str(tmp_path) not in airfoil["reason"]  # the server's paths stay private
        assert client.get("/api/datasets/synthetic").json()["available"] is True


def test_an_upload_is_kept_and_trainable(client: TestClient) -> None:
    answer = upload(client, table(rows=250, cols=4), name="../../secret/dir/measurements.csv")
    assert answer["status"] == 201
    info = answer["body"]
    assert info["id"].startswith("upload-") and answer["headers"]["location"] == f"/api/datasets/{info['id']}"
    assert (info["rows"], info["features"], info["kind"]) == (250, 3, "upload")
    assert info["columns"] == ["f0", "f1", "f2", "target"] and info["filename"] == "measurements.csv"
    assert not info["synthetic"] and info["available"]
    assert client.get(f"/api/datasets/{info['id']}").json() == info
    assert info["id"] in [d["id"] for d in client.get("/api/datasets").json()]
    assert upload(client, table(rows=250, cols=4))["body"]["id"] == info["id"]  # same content, same id

    job = client.post(
        "/api/jobs", json={"dataset": info["id"], "batch_size": 25, "epochs": 4, "runs": [{"optimizer": "adam"}]}
    )
    assert job.status_code == 202
    events = client.get(f"/api/jobs/{job.json()['id']}/events").text
    assert "event: end" in events
    record = client.get(f"/api/jobs/{job.json()['id']}").json()
    assert record["status"] == "done" and record["dataset"]["id"] == info["id"]
    assert record["runs"][0]["epochs"][-1] == 4 and len(record["runs"][0]["losses"]) == record["points"]
    assert (
        client.post(
            "/api/jobs", json={"dataset": info["id"], "batch_size": 251, "runs": [{"optimizer": "adam"}]}
        ).status_code
        == 422
    )


def test_bad_csvs_are_refused_with_line_and_column(client: TestClient) -> None:
    assert "line 3, column 2 ('b'): 'oops' is not a number" in refusal(client, b"a,b\n1,2\n3,oops\n" + b"4,5\n" * 10)
    assert "line 5 has 3 columns, expected 2" in refusal(client, b"1,2\n" * 4 + b"1,2,3\n" + b"1,2\n" * 8)
    assert "line 1 has 51 columns" in refusal(client, (",".join(["1"] * 51) + "\n").encode() * 12)
    assert "5 data rows; need at least 10" in refusal(client, b"1,2\n3,4\n5,6\n7,8\n9,1\n")
    assert "column 1 is constant" in refusal(client, b"".join(b"1,%d\n" % i for i in range(12)))
    assert "not UTF-8" in refusal(client, b"a,b\n\xff\xfe,1\n")
    assert "binary" in refusal(client, b"\x00\x01\x02" * 10)
    assert "the file is empty" in refusal(client, b"  \n")
    listed = [d["id"] for d in client.get("/api/datasets").json()]
    assert not any(i.startswith("upload-") for i in listed)


def test_not_a_multipart_file_is_refused(client: TestClient) -> None:
    response = client.post("/api/datasets", json={"file": "1,2\n3,4"})
    assert response.status_code == 422 and "multipart/form-data" in response.json()["detail"][0]["msg"]
    response = client.post("/api/datasets", files={"other": ("x.csv", table(), "text/csv")})
    assert response.status_code == 422 and "field 'file'" in response.json()["detail"][0]["msg"]
    for body, content_type in (
        (b"--xyz\r\ngarbage", "multipart/form-data; boundary=xyz"),
        (b"", "multipart/form-data"),
    ):
        response = client.post("/api/datasets", content=body, headers={"content-type": content_type})
        assert response.status_code == 422 and "multipart" in response.json()["detail"][0]["msg"]
    two = [("file", ("a.csv", table(), "text/csv")), ("file", ("b.csv", table(), "text/csv"))]
    response = client.post("/api/datasets", files=two)
    assert response.status_code == 422 and "Too many files" in response.json()["detail"][0]["msg"]


def test_too_large_a_file_is_413(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_upload_bytes": 2048}))) as client:
        big = table(rows=100, cols=4)
        assert len(big) > 2048
        answer = upload(client, big)
        assert answer["status"] == 413 and "limit is 2,048 bytes" in answer["body"]["detail"]
        huge = b"1,2\n" * 50_000  # larger than the limit plus the multipart slack: refused unread
        answer = upload(client, huge)
        assert answer["status"] == 413 and "limit" in answer["body"]["detail"]
        assert upload(client, table(rows=12, cols=2))["status"] == 201


def test_a_full_upload_budget_evicts_the_least_recently_used_unless_a_job_trains_on_it(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"upload_memory_mb": 1}))) as client:
        first = upload(client, table(rows=30_000, cols=4))["body"]["id"]  # 30,000 × 4 × 4 B ≈ 0.46 MB
        job = client.post(
            "/api/jobs", json={"dataset": first, "batch_size": 1, "epochs": 20, "runs": [{"optimizer": "sgd"}]}
        ).json()["id"]
        until(client, job, {"running"})
        answer = upload(client, table(rows=40_000, cols=4))  # 0.61 MB more: only the first could make room
        assert answer["status"] == 413 and "in use by queued or running jobs" in answer["body"]["detail"]
        client.post(f"/api/jobs/{job}/cancel")
        until(client, job, {"cancelled"})
        second = upload(client, table(rows=40_000, cols=4))
        assert second["status"] == 201  # instead of refusing everyone, the least recently used made room
        ids = [d["id"] for d in client.get("/api/datasets").json()]
        assert second["body"]["id"] in ids and first not in ids
        alone = upload(client, table(rows=80_000, cols=4))
        assert alone["status"] == 413 and "at most 1 MB of uploads" in alone["body"]["detail"]


def test_uploads_survive_a_restart(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        info = upload(client, table(rows=100, cols=3), name="kept.csv")["body"]
        cookies = dict(client.cookies)
    with TestClient(create_app(settings), cookies=cookies) as client:  # a new process, the same browser
        assert client.get(f"/api/datasets/{info['id']}").json() == info
        assert client.delete(f"/api/datasets/{info['id']}").status_code == 204
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/api/datasets/{info['id']}").status_code == 404


def test_only_the_owner_or_the_admin_deletes_an_upload(settings: Settings) -> None:
    with TestClient(create_app(settings)) as alice:
        bob = another_browser(alice)
        info = upload(alice, table(rows=50, cols=3))["body"]
        assert info["mine"] is True and bob.get(f"/api/datasets/{info['id']}").json()["mine"] is False
        refused = bob.delete(f"/api/datasets/{info['id']}")
        assert refused.status_code == 403 and "belongs to another user" in refused.json()["detail"]
        for builtin in ("airfoil", "synthetic"):
            assert "built-in" in alice.delete(f"/api/datasets/{builtin}", headers=ADMIN).json()["detail"]
        assert alice.delete("/api/datasets/upload-0123456789abcdef").status_code == 404
        assert bob.delete(f"/api/datasets/{info['id']}", headers=ADMIN).status_code == 204
        assert alice.get(f"/api/datasets/{info['id']}").status_code == 404


def test_a_third_parse_at_once_is_429(client: TestClient) -> None:
    parses = client.app.state.datasets._parses  # type: ignore[attr-defined]
    for _ in range(MAX_PARSES):  # as if two uploads were being parsed right now
        assert parses.acquire(blocking=False)
    try:
        answer = upload(client, table(rows=50, cols=3))
        assert answer["status"] == 429 and int(answer["headers"]["retry-after"]) >= 1
        assert "being read right now" in answer["body"]["detail"]
    finally:
        for _ in range(MAX_PARSES):
            parses.release()
    assert upload(client, table(rows=50, cols=3))["status"] == 201


def test_unknown_datasets_are_404(client: TestClient) -> None:
    assert client.get("/api/datasets/upload-0000").status_code == 404
