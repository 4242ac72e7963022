"""The book's linear-regression experiment (D2L ch. 7), fast and for many runs at once.

Same maths as the book's ``train_ch11``: w ~ N(0, 0.01²), b = 0, squared loss (ŷ−y)²/2
averaged over the minibatch, a reshuffle every epoch, the full-data loss at the start and every
100 examples. What makes it fast: the minibatch order is drawn once per epoch, the gradient of
the squared loss is written in closed form (no autograd, no DataLoader), buffers are reused and
every run of a job lives in one parameter matrix θ = [w; b] of shape (F+1)×R, so one matrix
product serves all runs, and the full-data loss comes from the data's second moments. The
updates themselves are the optimizer core's (``app.optim``): book runs of the same optimizer
share one ``BookStepper`` for w (F×K) and one for b (1×K), hyper-parameters as 1×K tensors;
each ``torch`` run has its own ``torch.optim`` optimizer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from app.optim.registry import get_optimizer
from app.optim.stepper import BookStepper, Stepper, TorchStepper
from app.training.schedule import Schedule, batch_orders

DTYPE = torch.float32
INIT_STD = 0.01
STOP_CHECK_EVERY = 32  # steps between looks at the cancel flag


@dataclass(frozen=True)
class RunConfig:
    optimizer: str
    impl: str  # "book" | "torch"
    hyperparams: Mapping[str, float]  # complete: spec.resolve(..., context="training")


@dataclass
class RunResult:
    config: RunConfig
    status: str = "running"  # running → done | diverged | cancelled
    epochs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    diverged_at: float | None = None  # epoch of the first non-finite loss
    seconds: float = 0.0  # training time spent on this run (full-data losses excluded, as the book)
    epochs_done: float = 0.0

    @property
    def final_loss(self) -> float | None:
        return self.losses[-1] if self.losses and self.status != "diverged" else None

    @property
    def sec_per_epoch(self) -> float | None:
        return self.seconds / self.epochs_done if self.epochs_done > 0 else None

    def summary(self) -> str:
        """The book's closing line: 'loss: 0.243452, 0.049984 sec per epoch'."""
        spe = self.sec_per_epoch
        timing = f"{spe:.6f} sec per epoch" if spe is not None else "no epoch timed"
        if self.status == "diverged":
            return f"diverged at epoch {self.diverged_at:.3f} (loss not finite), {timing}"
        if not self.losses:
            return self.status
        prefix = "" if self.status == "done" else f"{self.status}, "
        return f"{prefix}loss: {self.losses[-1]:.6f}, {timing}"


@dataclass(frozen=True)
class Point:
    """One full-data evaluation: the loss of every run still going (None for stopped runs)."""

    index: int  # 0 is the start
    step: int  # optimizer steps taken so far
    epoch: float  # examples seen / rows
    losses: list[float | None]
    stopped: list[int]  # runs whose status changed at this point (diverged, or done at the end)


class _Group:
    """Runs updated by the same steppers: one book optimizer vectorised, or one torch run."""

    def __init__(self, runs: list[int], cols: slice) -> None:
        self.runs, self.cols = runs, cols
        self.steppers: list[tuple[Stepper, Tensor]] = []  # (stepper, its gradient view)
        self.live = len(runs)
        self.seconds = 0.0

    def step(self) -> None:
        for stepper, grad in self.steppers:
            stepper.step(grad)


def resolve_device(device: str) -> torch.device:
    """'auto' → cuda when available, else cpu; 'cuda' without CUDA raises ValueError."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA is not available on this server (torch.cuda.is_available() is False)")
    if device not in {"cpu", "cuda"}:
        raise ValueError(f"unknown device '{device}'; expected auto, cpu or cuda")
    return torch.device(device)


def _group_runs(runs: Sequence[RunConfig]) -> list[list[int]]:
    """Book runs of one optimizer share a group; torch runs and noisy SGD runs stand alone.

    A noisy run keeps its own noise stream, so its curve does not depend on its neighbours.
    """
    groups: dict[object, list[int]] = {}
    for i, run in enumerate(runs):
        alone = run.impl != "book" or run.hyperparams.get("noise", 0.0) != 0.0
        groups.setdefault(("alone", i) if alone else run.optimizer, []).append(i)
    return list(groups.values())


class Trainer:
    """One job: R runs on one data set, the same initial weights and minibatch order for all."""

    def __init__(
        self,
        X: Tensor,
        y: Tensor,
        runs: Sequence[RunConfig],
        *,
        batch_size: int,
        epochs: int,
        seed: int,
        device: str | torch.device = "cpu",
        record_every: int | None = None,
    ) -> None:
        if not runs:
            raise ValueError("a job needs at least one run")
        rows, features = X.shape
        if not 1 <= batch_size <= rows:
            raise ValueError(f"batch_size must be in [1, {rows}] for this data set, got {batch_size}")
        self.device = device if isinstance(device, torch.device) else resolve_device(device)
        self.schedule = (
            Schedule.book(rows, batch_size, epochs)
            if record_every is None
            else Schedule(rows, batch_size, epochs, record_every)
        )
        self.runs = [RunResult(config) for config in runs]
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        dev = self.device
        ones = torch.ones(rows, 1, dtype=DTYPE)
        self.Xa = torch.cat([X.to(DTYPE), ones], dim=1).to(dev)  # [X 1]: θ = [w; b] in one product
        self.y = y.to(DTYPE).reshape(-1, 1).to(dev)
        self.neg_y = -self.y
        self.features = features
        # Groups own contiguous columns of θ; column_of[i] is run i's column.
        self.groups: list[_Group] = []
        self.column_of = [0] * len(runs)
        col = 0
        for members in _group_runs(runs):
            self.groups.append(_Group(members, slice(col, col + len(members))))
            for i in members:
                self.column_of[i] = col
                col += 1
        width = len(runs)
        w0 = torch.normal(0.0, INIT_STD, (features, 1), generator=self.generator, dtype=DTYPE)
        self.theta = torch.zeros(features + 1, width, dtype=DTYPE, device=dev)
        self.theta[:features] = w0.to(dev)  # every run starts from the same w, b = 0
        self.grad = torch.zeros_like(self.theta)
        self.residual = torch.empty(batch_size, width, dtype=DTYPE, device=dev)
        # Full-data loss from the data's second moments (float64): O(F²R) per point, not O(nFR).
        Xa64, y64 = self.Xa.double(), self.y.double()
        self.gram = (Xa64.t() @ Xa64) / rows  # (F+1)×(F+1)
        self.xty = (Xa64.t() @ y64) / rows  # (F+1)×1
        self.yty = float((y64 * y64).mean())
        for group in self.groups:
            self._make_steppers(group)
        self.grad_seconds = 0.0
        self.steps_done = 0
        self._seen = 0  # examples seen
        self.stopped = False  # set when should_stop ended the job early

    # --- set-up ---------------------------------------------------------------------------

    def _make_steppers(self, group: _Group) -> None:
        F, cols, dev = self.features, group.cols, self.device
        configs = [self.runs[i].config for i in group.runs]
        spec = get_optimizer(configs[0].optimizer)
        noise = configs[0].hyperparams.get("noise", 0.0)
        generator = torch.Generator(device=dev).manual_seed(self.seed) if noise else None
        if configs[0].impl == "book":
            # w (F×K) and b (1×K) are separate parameters with separate states, as in the book.
            views = ((self.theta[:F, cols], self.grad[:F, cols]), (self.theta[F:, cols], self.grad[F:, cols]))
            hp: dict[str, float | Tensor] = {
                name: torch.tensor([[c.hyperparams[name] for c in configs]], dtype=DTYPE, device=dev)
                for name in configs[0].hyperparams
                if name != "noise"
            }
            if "noise" in configs[0].hyperparams:
                hp["noise"] = float(noise)
            group.steppers = [(BookStepper(spec, param, hp, generator), grad) for param, grad in views]
        else:
            # One torch.optim optimizer per run, over its column [w; b]: every mapped optimizer is
            # elementwise, so w's and b's coordinates still keep their own state.
            floats = dict(configs[0].hyperparams)
            group.steppers = [(TorchStepper(spec, self.theta[:, cols], floats, generator), self.grad[:, cols])]

    # --- the loop -------------------------------------------------------------------------

    def _clock(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def _full_losses(self) -> list[float]:
        """Mean of (ŷ−y)²/2 over every row, for every column of θ, exactly expanded:
        ½ (θᵀ G θ − 2 θᵀ Xᵀy/n + yᵀy/n) with G = XᵀX/n, in float64, then rounded to float32
        so a loss beyond float32's range reads as inf (diverged), as the direct sum would.
        """
        theta = self.theta.double()
        quad = (theta * (self.gram @ theta)).sum(dim=0) - 2.0 * (self.xty * theta).sum(dim=0) + self.yty
        return [float(v) for v in quad.mul_(0.5).float().cpu().tolist()]

    def _record(self, index: int, seen: int, final: bool) -> Point:
        epoch = seen / self.schedule.rows
        values = self._full_losses()
        losses: list[float | None] = []
        stopped: list[int] = []
        for i, run in enumerate(self.runs):
            if run.status != "running":
                losses.append(None)
                continue
            loss = values[self.column_of[i]]
            if not math.isfinite(loss):
                run.status, run.diverged_at = "diverged", epoch
                losses.append(None)
                stopped.append(i)
                self._close(i, epoch)
                continue
            run.epochs.append(epoch)
            run.losses.append(loss)
            losses.append(loss)
            if final:
                run.status = "done"
                stopped.append(i)
                self._close(i, epoch)
        return Point(index, self.steps_done, epoch, losses, stopped)

    def _group_of(self, run: int) -> _Group:
        return next(g for g in self.groups if run in g.runs)

    def _close(self, run: int, epoch: float) -> None:
        """Freeze a run's timing; a group with no live run stops stepping."""
        group = self._group_of(run)
        group.live -= 1
        result = self.runs[run]
        result.epochs_done = epoch
        result.seconds = group.seconds / len(group.runs) + self.grad_seconds / len(self.runs)

    def cancel_remaining(self) -> list[int]:
        """Mark every run still going 'cancelled'; returns their indices."""
        stopped = []
        for i, run in enumerate(self.runs):
            if run.status == "running":
                run.status = "cancelled"
                self._close(i, self.epochs_seen)
                stopped.append(i)
        return stopped

    @property
    def epochs_seen(self) -> float:
        return self._seen / self.schedule.rows

    @property
    def progress(self) -> float:
        return self.steps_done / self.schedule.steps

    def points(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Point]:
        """Train, yielding every recorded point; stop early (runs 'cancelled') when asked."""
        sched = self.schedule
        records = sched.records()
        batches = sched.batches()
        index = 0
        yield self._record(index, 0, final=False)
        with torch.no_grad():
            for order in batch_orders(sched.rows, sched.epochs, self.generator):
                perm = order.to(self.device)
                Xp = self.Xa.index_select(0, perm)
                XpT = Xp.t().contiguous()
                neg_yp = self.neg_y.index_select(0, perm)
                for start, size in batches:
                    if should_stop is not None and self.steps_done % STOP_CHECK_EVERY == 0 and should_stop():
                        self.stopped = True
                        self.cancel_remaining()
                        return
                    t0 = self._clock()
                    r = self.residual[:size]
                    torch.addmm(neg_yp[start : start + size], Xp[start : start + size], self.theta, out=r)
                    self.grad.addmm_(XpT[:, start : start + size], r, beta=0.0, alpha=1.0 / size)
                    t1 = self._clock()
                    self.grad_seconds += t1 - t0
                    for group in self.groups:
                        if group.live:
                            group.step()
                            t2 = self._clock()
                            group.seconds += t2 - t1
                            t1 = t2
                    self._seen += size
                    self.steps_done += 1
                    if records[self.steps_done - 1]:
                        index += 1
                        final = self.steps_done == sched.steps
                        yield self._record(index, self._seen, final)
                        if not any(g.live for g in self.groups):
                            return

    def run(self, should_stop: Callable[[], bool] | None = None) -> list[RunResult]:
        for _ in self.points(should_stop):
            pass
        return self.runs
