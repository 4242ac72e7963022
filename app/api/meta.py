"""Health and the catalogues the page builds its forms from."""

from __future__ import annotations

from typing import Literal, get_args

import torch
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app import __version__
from app.api.deps import LangDep, StoreDep
from app.i18n import N_, page_messages, translate
from app.optim import expression, grammar
from app.optim.functions import OBJECTIVES
from app.optim.notation import CONTEXTS, SYMBOLS, Notation, mathml, notation
from app.optim.registry import IMPLS, OPTIMIZERS
from app.optim.spec import OptimizerSpec
from app.schemas.base import ActiveJobStatus, FinishedJobStatus
from app.schemas.meta import (
    ExpressionGrammar,
    Formula,
    FunctionInfo,
    Health,
    HyperParamInfo,
    JobStatuses,
    OptimizerInfo,
    OptimizerNotation,
    PageCatalogue,
)

router = APIRouter()
Language = Literal["en", "zh"]  # app.i18n.LANGUAGES


@router.get(
    "/healthz",
    response_model=Health,
    tags=["meta"],
    responses={503: {"model": Health, "description": "the run history cannot be read or written; 'database' says why"}},
)
def healthz(store: StoreDep) -> Health | JSONResponse:
    """200 when the server can serve and store; 503 (same body) when its run history cannot be used."""
    problem = store.problem()
    health = Health(
        status="ok" if problem is None else "unavailable",
        database=problem or "ok",
        version=__version__,
        torch=torch.__version__,
        cuda=torch.cuda.is_available(),
        job_statuses=JobStatuses(active=list(get_args(ActiveJobStatus)), finished=list(get_args(FinishedJobStatus))),
    )
    return health if problem is None else JSONResponse(health.model_dump(), status_code=503)


def _formula(latex: str) -> Formula:
    return Formula(latex=latex, mathml=mathml(latex))


def _notation(n: Notation) -> OptimizerNotation:
    return OptimizerNotation(
        rule=[_formula(line) for line in n.rule],
        gradient={context: _formula(n.gradient(context)) for context in CONTEXTS},
        rate=_formula(n.rate),
        state={key: _formula(symbol) for key, symbol in n.state.items()},
        symbols={key: _formula(symbol) for key, symbol in SYMBOLS.items()},
    )


def _optimizer_info(spec: OptimizerSpec, lang: str) -> OptimizerInfo:
    book, training, torch_defaults = spec.defaults(), spec.defaults(context="training"), spec.defaults("torch")
    return OptimizerInfo(
        name=spec.name,
        label=translate(spec.label, lang),
        section=spec.section,
        summary=translate(spec.formula, lang),
        notation={impl: _notation(notation(spec.name, impl)) for impl in IMPLS},
        impls=list(IMPLS),
        torch_class=f"torch.optim.{spec.torch.cls.__name__}",
        torch_notes=translate(spec.torch.notes, lang),
        hyperparams=[
            HyperParamInfo(
                name=hp.name,
                symbol=hp.symbol,
                default=book[hp.name],
                training_default=training[hp.name],
                torch_default=torch_defaults[hp.name],
                low=hp.low,
                high=hp.high,
                low_inclusive=hp.low_inclusive,
                high_inclusive=hp.high_inclusive,
                bounds=hp.bounds_text(),
                description=translate(hp.description, lang),
                aliases=list(hp.aliases),
            )
            for hp in spec.hyperparams
        ],
    )


@router.get("/api/optimizers", response_model=list[OptimizerInfo], tags=["meta"])
def list_optimizers(lang: LangDep) -> list[OptimizerInfo]:
    """Every optimizer; names, summaries and descriptions in the language of ``Accept-Language``."""
    return [_optimizer_info(spec, lang) for spec in OPTIMIZERS.values()]


@router.get("/api/functions", response_model=list[FunctionInfo], tags=["meta"])
def list_functions(lang: LangDep) -> list[FunctionInfo]:
    """The built-in objectives, then a ``custom`` entry (the only one with ``grammar``): f typed as text.

    Names and notes in the language of ``Accept-Language``."""
    return [
        *(
            FunctionInfo(
                name=f.name,
                label=translate(f.label, lang),
                latex=f.latex,
                mathml=mathml(f.latex),
                box=list(f.box),
                start=list(f.start),
                minima=[list(m) for m in f.minima],
                note=translate(f.note, lang) if f.note else f.note,
                log_contours=f.log_contours,
            )
            for f in OBJECTIVES.values()
        ),
        FunctionInfo(
            name="custom",
            label=translate(N_("Custom f(x1, x2)"), lang),
            latex="",
            mathml="",
            box=list(expression.CUSTOM_BOX),
            start=list(expression.CUSTOM_START),
            minima=[],
            log_contours=False,
            note=translate(
                N_("type f(x1, x2), e.g. 0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1); send it as 'expression'"), lang
            ),
            grammar=ExpressionGrammar.model_validate(grammar.grammar()),
        ),
    ]


@router.get("/api/i18n/{lang}", response_model=PageCatalogue, tags=["meta"])
def page_catalogue(lang: Language) -> PageCatalogue:
    """The page's words in ``lang``: English message id → translation, from the same .po as the templates'."""
    return PageCatalogue(lang=lang, messages=page_messages(lang))
