"""Data sets for training: the catalogue, CSV uploads and their deletion.

The upload is read with its own byte limit (a declared Content-Length above it is refused unread),
streamed to a temporary file, parsed off the event loop, and refused with a message naming the
line and column at fault. Uploads are addressed by an id the server makes from their owner and
content; the catalogue is open to everyone, deleting an upload is for its owner or the admin.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from app.api.access import Caller
from app.api.deps import CallerDep, DatasetsDep, LangDep, SettingsDep
from app.api.errors import DETAIL, FORBIDDEN, RETRY_AFTER, refused, too_many
from app.data.dataset import DataError, Dataset
from app.data.registry import (
    DatasetEntry,
    ParsersBusy,
    UploadDiskError,
    UploadStoreFull,
    upload_description,
    upload_label,
)
from app.i18n import Text, translate
from app.schemas.datasets import DatasetInfo

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
BUILT_IN = frozenset({"airfoil", "synthetic"})


def dataset_info(entry: DatasetEntry, caller: Caller, lang: str = "en") -> DatasetInfo:
    """A data set as the API shows it; the built-in ones' names and descriptions in ``lang``."""
    data: Dataset | None = entry.dataset
    label: str | Text = entry.label
    description: str | Text = data.description if data else f"{entry.label}: unavailable"
    if data is not None and data.kind == "upload":  # made from the file: say it again in the reader's language
        label = upload_label(data.filename or data.id)
        description = upload_description(data.rows, data.features, data.columns[-1])
    return DatasetInfo(
        id=entry.id,
        label=translate(label, lang),
        kind=entry.kind,
        available=entry.available,
        reason=entry.reason,
        synthetic=data.synthetic if data else entry.kind == "synthetic",
        rows=data.rows if data else None,
        features=data.features if data else None,
        columns=list(data.columns) if data else [],
        description=translate(description, lang),
        filename=data.filename if data else None,
        created_at=data.created_at.timestamp() if data else None,
        mine=caller.owns(entry.owner),
    )


def _refuse(status: int, message: str) -> HTTPException:
    """422s look like validation errors naming the field 'file'; 413s carry a plain message."""
    if status == 422:
        return HTTPException(
            422, [{"loc": ["body", "file"], "field": "file", "msg": f"file: {message}", "type": "csv_invalid"}]
        )
    return HTTPException(status, message)


@router.get("", response_model=list[DatasetInfo])
def list_datasets(datasets: DatasetsDep, caller: CallerDep, lang: LangDep) -> list[DatasetInfo]:
    """Every data set, available or not (airfoil first, with the reason when its file is unusable)."""
    return [dataset_info(entry, caller, lang) for entry in datasets.entries()]


@router.get("/{dataset_id}", response_model=DatasetInfo, responses={404: {"description": "no such data set"}})
def get_dataset(dataset_id: str, datasets: DatasetsDep, caller: CallerDep) -> DatasetInfo:
    for entry in datasets.entries():
        if entry.id == dataset_id:
            return dataset_info(entry, caller)
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
        413: {"description": "the file is too large, or larger than the whole upload budget", "content": DETAIL},
        422: {"description": "not a usable CSV; the message names the line and column"},
        429: {
            "description": "two uploads are being parsed already; see Retry-After",
            "content": DETAIL,
            "headers": RETRY_AFTER,
        },
        503: {"description": "the upload could not be stored on the server's disk", "content": DETAIL},
    },
)
async def upload_dataset(
    request: Request, datasets: DatasetsDep, settings: SettingsDep, caller: CallerDep
) -> JSONResponse:
    """Upload a CSV. It is streamed to a temporary file (never held whole in memory), parsed with at
    most two parses at once, stored with the other uploads on disk, and owned by this browser."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise _refuse(413, f"the upload is {int(declared):,} bytes; the limit is {limit:,} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _refuse(422, "send the CSV as multipart/form-data in the field 'file'")
    try:
        async with _limited(request, limit + MULTIPART_SLACK).form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _refuse(422, "no file in the field 'file' of the multipart form")
            if upload.size is not None and upload.size > limit:
                raise _refuse(413, f"the file is {upload.size:,} bytes; the limit is {limit:,} bytes")
            add = partial(datasets.add_upload, upload.file, upload.filename, caller.owner)
            dataset = await anyio.to_thread.run_sync(add)
    except MultiPartException as exc:
        raise _refuse(422, f"malformed multipart body: {exc.message}") from None
    except StarletteHTTPException as exc:  # Starlette reports a broken multipart body as a 400
        if exc.status_code != 400:
            raise
        raise _refuse(422, f"malformed multipart body: {exc.detail}") from None
    except DataError as exc:
        raise _refuse(422, str(exc)) from None
    except UploadStoreFull as exc:
        raise _refuse(413, str(exc)) from None
    except ParsersBusy as exc:
        raise too_many(str(exc), exc.retry_after) from None
    except UploadDiskError as exc:
        raise refused(503, str(exc)) from None
    entry = DatasetEntry(dataset.id, dataset.label, dataset.kind, True, None, dataset, caller.owner)
    return JSONResponse(
        dataset_info(entry, caller).model_dump(),
        status_code=201,
        headers={"Location": f"/api/datasets/{dataset.id}"},
    )


def _limited(request: Request, limit: int) -> Request:
    """The request, its body cut off with a 413 as soon as it passes ``limit`` bytes."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise StarletteHTTPException(413, f"the upload exceeds the limit of {limit - MULTIPART_SLACK:,} bytes")
        return message

    return Request(request.scope, receive)


@router.delete(
    "/{dataset_id}",
    status_code=204,
    responses={404: {"description": "no such upload"}, **FORBIDDEN, 503: {"description": "the disk refused"}},
)
def delete_dataset(dataset_id: str, datasets: DatasetsDep, caller: CallerDep) -> Response:
    """Delete an upload (its owner or the admin); jobs already queued on it still run. The built-in
    sets cannot be deleted."""
    if dataset_id in BUILT_IN:
        raise refused(403, f"'{dataset_id}' is one of the server's built-in data sets; only uploads can be deleted")
    try:
        owner = datasets.owner_of(dataset_id)
    except KeyError:
        raise refused(404, f"no upload '{dataset_id}'") from None
    if not caller.may_change(owner):
        raise refused(403, caller.refusal(f"delete data set '{dataset_id}'"))
    try:
        datasets.delete_upload(dataset_id)
    except UploadDiskError as exc:
        raise refused(503, str(exc)) from None
    return Response(status_code=204)
