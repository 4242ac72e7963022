"""The book: the chapter's printed results and whether ours reproduce them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.schemas.jobs import JobRequest
from app.schemas.meta import Formula
from app.schemas.trajectories import TrajectoryRequest


class LocalText(BaseModel):
    en: str
    zh: str


class PrintedPoint(BaseModel):
    point: list[float] = Field(description="[x1, x2] after the steps, as the book prints them (6 decimals)")
    line: str = Field(description="the book's output line, verbatim")


class PrintedLoss(BaseModel):
    loss: float = Field(description="the final full-data loss, as the book prints it")
    sec_per_epoch: float = Field(description="the book's time of its last epoch (its loss evaluations included)")
    line: str = Field(description="the book's output line, verbatim")


class BookTrajectoryResult(BaseModel):
    kind: Literal["trajectory"]
    id: str
    section: str
    description: LocalText
    random: bool = Field(description="the book's generator was unseeded: compare with ours over `seeds` seeds")
    request: TrajectoryRequest = Field(description="POST it to /api/trajectories to reproduce the result")
    printed: PrintedPoint
    formulas: list[Formula] = Field(description="the objective, what g_t is, then the update rule")


class BookTrainingResult(BaseModel):
    kind: Literal["training"]
    id: str
    section: str
    description: LocalText
    random: bool = Field(description="always compared over `seeds` seeds: the book's run was unseeded")
    request: JobRequest = Field(
        description="POST it to /api/jobs to reproduce the result: one job over `seeds` seeds, their mean and sd"
    )
    printed: PrintedLoss
    formulas: list[Formula] = Field(description="what g_t is (the minibatch's gradient), then the update rule")


class BookSection(BaseModel):
    id: str = Field(description="the section's number, e.g. '7.2'")
    title: LocalText


class BookOmission(BaseModel):
    section: str
    description: LocalText
    line: str = Field(description="the book's output line, verbatim")
    reason: LocalText = Field(description="why the catalogue does not re-run it")


class BookOut(BaseModel):
    seeds: int = Field(
        description="ours for an unseeded result: seeds 0 … seeds−1 (a 2D request sent with each seed; a training "
        "request trains them all in one job)"
    )
    decimals: int = Field(description="a 2D result passes when ours equals the printed point to this many decimals")
    sigmas: float = Field(
        description="a random or training result passes when the printed value lies within our mean ± sigmas × sd"
    )
    sections: list[BookSection] = Field(description="the chapter's sections, in order, with their titles")
    results: list[Annotated[BookTrajectoryResult | BookTrainingResult, Field(discriminator="kind")]]
    omitted: list[BookOmission] = Field(description="printed results not re-run, each with its reason")
    loss: Formula = Field(description="the training results' loss, the mean over the data of (ŷ − y)²/2")
