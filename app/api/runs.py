"""Run history: list, open, delete, pin and export stored comparisons and training jobs.

Reading is open to everyone (a run's link can be shared); deleting and pinning are for the
record's owner and the admin (403 otherwise). Lists show the caller's own records unless asked
for ``scope=all``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query, Response

from app.api.access import Caller
from app.api.deps import CallerDep, LangDep, StoreDep
from app.api.errors import FORBIDDEN, field_error, refused
from app.history.contour import NoContour, stored_contour
from app.history.export import to_csv
from app.history.store import ACTIVE, RunFilter, RunRecord
from app.history.titles import title_in
from app.i18n import gettext_for
from app.optim.registry import OPTIMIZERS
from app.schemas.runs import ContourOut, HistoryUsage, RunBrief, RunDetail, RunPage

router = APIRouter(prefix="/api/runs", tags=["runs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no run with that id"}}


def _brief(record: RunRecord, caller: Caller, lang: str = "en") -> RunBrief:
    return RunBrief(
        id=record.id,
        kind=record.kind,
        status=record.status,
        title=title_in(record.kind, record.config, record.title, gettext_for(lang)),
        optimizers=record.optimizers,
        device=record.device,
        created_at=record.created_at,
        updated_at=record.updated_at,
        runs=record.runs,
        timings=record.timings,
        pinned=record.pinned,
        mine=record.owner is not None and caller.owns(record.owner),
    )


def _found(store: StoreDep, run_id: str) -> RunRecord:
    record = store.get(run_id)
    if record is None:
        raise refused(404, f"no run with id '{run_id}'")
    return record


def _changeable(store: StoreDep, run_id: str, caller: Caller, what: str) -> RunRecord:
    record = _found(store, run_id)
    if not caller.may_change(record.owner):
        raise refused(403, caller.refusal(f"{what} run '{run_id}'"))
    return record


@router.get("", response_model=RunPage)
def list_runs(
    store: StoreDep,
    caller: CallerDep,
    lang: LangDep,
    scope: Literal["own", "all"] = Query("own", description="own: this browser's records; all: everyone's"),
    kind: Literal["trajectory", "training", "sweep"] | None = None,
    optimizer: str | None = Query(None, max_length=32, description="one of GET /api/optimizers"),
    status: str | None = Query(None, max_length=32, pattern=r"^[a-z_]+$"),
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> RunPage:
    if optimizer is not None and optimizer not in OPTIMIZERS:
        raise field_error("optimizer", f"unknown optimizer '{optimizer}'", location="query")
    owner = caller.owner if scope == "own" else None
    total, records = store.list(RunFilter(kind, optimizer, status, owner), offset, limit)
    usage = HistoryUsage(**asdict(store.usage(caller.owner)))
    items = [_brief(r, caller, lang) for r in records]
    return RunPage(total=total, offset=offset, limit=limit, scope=scope, items=items, usage=usage)


@router.get("/{run_id}", response_model=RunDetail, responses=NOT_FOUND)
def get_run(run_id: str, store: StoreDep, caller: CallerDep, lang: LangDep) -> RunDetail:
    """One record; its title in the language of ``Accept-Language``."""
    record = _found(store, run_id)
    return RunDetail(**_brief(record, caller, lang).model_dump(), config=record.config, series=record.series)


@router.delete(
    "/{run_id}",
    status_code=204,
    responses={
        **NOT_FOUND,
        **FORBIDDEN,
        409: {"description": "the run is still queued or running (cancel its job first)"},
    },
)
def delete_run(run_id: str, store: StoreDep, caller: CallerDep) -> Response:
    record = _changeable(store, run_id, caller, "delete")
    if record.status in ACTIVE:  # its job would write it again when it ends
        raise refused(409, f"run '{run_id}' is still {record.status}: cancel the job first")
    if not store.delete(run_id):
        raise refused(404, f"no run with id '{run_id}'")
    return Response(status_code=204)


def _pin(run_id: str, store: StoreDep, caller: CallerDep, pinned: bool) -> RunBrief:
    record = _changeable(store, run_id, caller, "pin" if pinned else "unpin")
    if not store.set_pinned(run_id, pinned):
        raise refused(404, f"no run with id '{run_id}'")
    record.pinned = pinned
    return _brief(record, caller)


@router.post("/{run_id}/pin", response_model=RunBrief, responses={**NOT_FOUND, **FORBIDDEN})
def pin_run(run_id: str, store: StoreDep, caller: CallerDep) -> RunBrief:
    """Keep the record whatever the history's bounds: pinned records are never pruned."""
    return _pin(run_id, store, caller, True)


@router.delete("/{run_id}/pin", response_model=RunBrief, responses={**NOT_FOUND, **FORBIDDEN})
def unpin_run(run_id: str, store: StoreDep, caller: CallerDep) -> RunBrief:
    """The record may be pruned again, oldest first, once the history is past its bounds."""
    return _pin(run_id, store, caller, False)


@router.get("/{run_id}/contour", response_model=ContourOut, responses=NOT_FOUND)
def run_contour(run_id: str, store: StoreDep) -> ContourOut:
    """f on an 80×80 grid over a stored 2D comparison's view box, to draw its paths on (404 for training runs)."""
    try:
        return ContourOut.model_validate(stored_contour(_found(store, run_id)), from_attributes=True)
    except NoContour as exc:
        raise refused(404, str(exc)) from None


@router.get(
    "/{run_id}/export",
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export_run(run_id: str, store: StoreDep, caller: CallerDep, format: Literal["csv", "json"] = "json") -> Response:
    record = _found(store, run_id)
    filename = f"optimizer-lab-{record.kind}-{record.id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "json":
        body = RunDetail(**_brief(record, caller).model_dump(), config=record.config, series=record.series)
        return Response(body.model_dump_json(indent=1), media_type="application/json", headers=headers)
    return Response(to_csv(record), media_type="text/csv", headers=headers)
