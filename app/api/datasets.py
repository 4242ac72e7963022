"""Data sets for training: the catalogue and CSV uploads.

The upload is read with its own byte limit before any parsing (a declared Content-Length above
it is refused unread), parsed off the event loop, and refused with a message naming the line and
column at fault. Uploads are addressed by an id the server makes from their content.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from app.api.deps import DatasetsDep, SettingsDep
from app.data.dataset import DataError, Dataset
from app.data.registry import DatasetEntry, UploadStoreFull
from app.schemas import DatasetInfo

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


def dataset_info(entry: DatasetEntry) -> DatasetInfo:
    data: Dataset | None = entry.dataset
    return DatasetInfo(
        id=entry.id,
        label=entry.label,
        kind=entry.kind,
        available=entry.available,
        reason=entry.reason,
        synthetic=data.synthetic if data else entry.kind == "synthetic",
        rows=data.rows if data else None,
        features=data.features if data else None,
        columns=list(data.columns) if data else [],
        description=data.description if data else f"{entry.label}: unavailable",
        filename=data.filename if data else None,
        created_at=data.created_at.timestamp() if data else None,
    )


def _refuse(status: int, message: str) -> HTTPException:
    """422s look like validation errors naming the field 'file'; 413s carry a plain message."""
    if status == 422:
        return HTTPException(
            422, [{"loc": ["body", "file"], "field": "file", "msg": f"file: {message}", "type": "csv_invalid"}]
        )
    return HTTPException(status, message)


@router.get("", response_model=list[DatasetInfo])
def list_datasets(datasets: DatasetsDep) -> list[DatasetInfo]:
    """Every data set, available or not (airfoil first, with the reason when its file is unusable)."""
    return [dataset_info(entry) for entry in datasets.entries()]


@router.get("/{dataset_id}", response_model=DatasetInfo, responses={404: {"description": "no such data set"}})
def get_dataset(dataset_id: str, datasets: DatasetsDep) -> DatasetInfo:
    for entry in datasets.entries():
        if entry.id == dataset_id:
            return dataset_info(entry)
    raise HTTPException(404, f"no data set '{dataset_id}'")


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (comma, semicolon or tab), numeric columns only, the target last, "
                            "2–50 columns, 10–200,000 rows, an optional header row",
                        }
                    },
                }
            }
        },
    },
}


@router.post(
    "",
    status_code=201,
    response_model=DatasetInfo,
    openapi_extra=UPLOAD_BODY,
    responses={
        413: {"description": "the file is too large, or the memory kept for uploads is used up"},
        422: {"description": "not a usable CSV; the message names the line and column"},
    },
)
async def upload_dataset(request: Request, datasets: DatasetsDep, settings: SettingsDep) -> JSONResponse:
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise _refuse(413, f"the upload is {int(declared):,} bytes; the limit is {limit:,} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _refuse(422, "send the CSV as multipart/form-data in the field 'file'")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + MULTIPART_SLACK:
            raise _refuse(413, f"the upload exceeds the limit of {limit:,} bytes")
    content, filename = await _file_field(request, bytes(body))
    if len(content) > limit:
        raise _refuse(413, f"the file is {len(content):,} bytes; the limit is {limit:,} bytes")
    if not content.strip():
        raise _refuse(422, "the file is empty")
    try:
        dataset = await anyio.to_thread.run_sync(datasets.add_upload, content, filename)
    except DataError as exc:
        raise _refuse(422, str(exc)) from None
    except UploadStoreFull as exc:
        raise _refuse(413, str(exc)) from None
    entry = DatasetEntry(dataset.id, dataset.label, dataset.kind, True, None, dataset)
    return JSONResponse(
        dataset_info(entry).model_dump(), status_code=201, headers={"Location": f"/api/datasets/{dataset.id}"}
    )


async def _file_field(request: Request, body: bytes) -> tuple[bytes, str | None]:
    """The 'file' part of a multipart body already read (and size-checked) into memory."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    buffered = Request(request.scope, replay)
    try:
        async with buffered.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _refuse(422, "no file in the field 'file' of the multipart form")
            return await upload.read(), upload.filename
    except MultiPartException as exc:
        raise _refuse(422, f"malformed multipart body: {exc.message}") from None
    except StarletteHTTPException as exc:  # Starlette reports a broken multipart body as a 400
        if exc.status_code != 400:
            raise
        raise _refuse(422, f"malformed multipart body: {exc.detail}") from None
