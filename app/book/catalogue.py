"""The chapter's printed results (``results.toml``) as typed, validated data.

Every request is parsed by the API's own request models at load time, so a catalogue entry
that the API would refuse fails here, at import, not in a learner's browser.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from app.optim.functions import get_objective
from app.optim.notation import LOSS, mathml, notation
from app.schemas.jobs import JobRequest
from app.schemas.trajectories import TrajectoryRequest

SOURCE = Path(__file__).with_name("results.toml")


@dataclass(frozen=True)
class Text:
    """One visible string in both of the app's languages."""

    en: str
    zh: str


@dataclass(frozen=True)
class PrintedPoint:
    point: tuple[float, float]
    line: str  # the book's output, verbatim


@dataclass(frozen=True)
class PrintedLoss:
    loss: float
    sec_per_epoch: float
    line: str


@dataclass(frozen=True)
class Formula:
    latex: str
    mathml: str


@dataclass(frozen=True)
class BookResult:
    id: str
    section: str
    description: Text
    kind: Literal["trajectory", "training"]
    request: TrajectoryRequest | JobRequest
    printed: PrintedPoint | PrintedLoss
    random: bool
    formulas: tuple[Formula, ...]  # 2D: the objective, g_t, the rule; training: g_t (the minibatch's), the rule


@dataclass(frozen=True)
class Omission:
    """A printed result the catalogue does not re-run, and why."""

    section: str
    description: Text
    line: str
    reason: Text


@dataclass(frozen=True)
class Section:
    id: str  # "7.2"
    title: Text


@dataclass(frozen=True)
class Catalogue:
    seeds: int  # ours for an unseeded result: seeds 0 … seeds−1 (a training request's own `seeds`)
    decimals: int  # a 2D point must equal the printed one to this many decimals
    sigmas: float  # a random result passes when printed lies within our mean ± sigmas × sd
    sections: tuple[Section, ...]
    results: tuple[BookResult, ...]
    omitted: tuple[Omission, ...]
    loss: Formula  # the training results' loss, as the book writes it

    def get(self, result_id: str) -> BookResult:
        for result in self.results:
            if result.id == result_id:
                return result
        raise KeyError(result_id)


def _formulas(request: TrajectoryRequest | JobRequest) -> tuple[Formula, ...]:
    first = request.runs[0]
    rule = notation(first.optimizer, first.impl)
    if isinstance(request, TrajectoryRequest):
        lines = (get_objective(request.function).latex, rule.gradient("2d"), *rule.rule)
    else:
        lines = (rule.gradient("training"), *rule.rule)
    return tuple(Formula(latex, mathml(latex)) for latex in lines)


def _result(raw: dict[str, Any]) -> BookResult:
    kind = raw["kind"]
    request: TrajectoryRequest | JobRequest
    printed: PrintedPoint | PrintedLoss
    if kind == "trajectory":
        request = TrajectoryRequest.model_validate(raw["request"])
        x1, x2 = raw["printed"]["point"]
        printed = PrintedPoint((float(x1), float(x2)), raw["printed"]["line"])
    elif kind == "training":
        request = JobRequest.model_validate(raw["request"])
        p = raw["printed"]
        printed = PrintedLoss(float(p["loss"]), float(p["sec_per_epoch"]), p["line"])
    else:
        raise ValueError(f"result '{raw.get('id')}': unknown kind '{kind}'")
    if len(request.runs) != 1:
        raise ValueError(f"result '{raw['id']}': one run per result, got {len(request.runs)}")
    return BookResult(
        id=raw["id"],
        section=raw["section"],
        description=Text(**raw["description"]),
        kind=kind,
        request=request,
        printed=printed,
        random=bool(raw.get("random", False)),
        formulas=_formulas(request),
    )


def parse(text: str) -> Catalogue:
    raw = tomllib.loads(text)
    results = tuple(_result(item) for item in raw["result"])
    seeds = int(raw["seeds"])
    for r in results:
        if isinstance(r.request, JobRequest) and r.request.seeds != seeds:
            raise ValueError(f"result '{r.id}': a training request trains {seeds} seeds, not {r.request.seeds}")
    ids = [r.id for r in results]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate result ids in the catalogue: {sorted({i for i in ids if ids.count(i) > 1})}")
    omitted = tuple(
        Omission(o["section"], Text(**o["description"]), o["line"], Text(**o["reason"])) for o in raw.get("omitted", [])
    )
    sections = tuple(Section(s["id"], Text(**s["title"])) for s in raw["section"])
    named = {s.id for s in sections}
    for section in [r.section for r in results] + [o.section for o in omitted]:
        if section not in named:
            raise ValueError(f"section '{section}' has no [[section]] entry with its title")
    return Catalogue(
        seeds=seeds,
        decimals=int(raw["decimals"]),
        sigmas=float(raw["sigmas"]),
        sections=sections,
        results=results,
        omitted=omitted,
        loss=Formula(LOSS, mathml(LOSS)),
    )


@cache
def catalogue() -> Catalogue:
    return parse(SOURCE.read_text(encoding="utf-8"))
