"""How a job's runs share steppers: one group per book optimizer (vectorised), one per torch run."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from app.optim.stepper import Stepper
from app.training.runs import RunConfig


class Group:
    """Runs updated by the same steppers: one book optimizer vectorised, or one torch run."""

    def __init__(self, runs: list[int], cols: slice) -> None:
        self.runs, self.cols = runs, cols
        self.steppers: list[tuple[Stepper, Tensor]] = []  # (stepper, its gradient view)
        self.live = len(runs)
        self.seconds = 0.0

    def step(self) -> None:
        for stepper, grad in self.steppers:
            stepper.step(grad)


def group_runs(runs: Sequence[RunConfig]) -> list[list[int]]:
    """Book runs of one optimizer share a group; torch runs and noisy SGD runs stand alone.

    A noisy run keeps its own noise stream, so its curve does not depend on its neighbours.
    """
    groups: dict[object, list[int]] = {}
    for i, run in enumerate(runs):
        alone = run.impl != "book" or run.hyperparams.get("noise", 0.0) != 0.0
        groups.setdefault(("alone", i) if alone else run.optimizer, []).append(i)
    return list(groups.values())
