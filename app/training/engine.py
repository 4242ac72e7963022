"""The book's linear-regression experiment (D2L ch. 7), fast and for many runs at once.

Same maths as the book's ``train_ch11``: w ~ N(0, 0.01²), b = 0, squared loss (ŷ−y)²/2
averaged over the minibatch, a reshuffle every epoch, the full-data loss at the start and every
100 examples. What makes it fast: the minibatch order is drawn once per epoch, the gradient of
the squared loss is written in closed form (no autograd, no DataLoader), buffers are reused and
every run of a job lives in one parameter tensor θ = [w; b] of shape S×(F+1)×R (S seeds, R
runs), so one batched matrix product serves all runs and seeds, and the full-data loss comes
from the data's second moments. Seed k (``seed + k``) draws its own initial weights and its own
minibatch order; all runs of one seed share them. The updates themselves are the optimizer
core's (``app.optim``): book runs of the same optimizer share one ``BookStepper`` for w (S×F×K)
and one for b (S×1×K), hyper-parameters as 1×K tensors; each ``torch`` run has its own
``torch.optim`` optimizer over its S columns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import Tensor

from app.optim.registry import get_optimizer
from app.optim.stepper import BookStepper, TorchStepper
from app.training.device import resolve_device
from app.training.groups import Group, group_runs
from app.training.runs import Point, RunConfig, RunPoint, RunResult
from app.training.schedule import Schedule, batch_orders

DTYPE = torch.float32
INIT_STD = 0.01
STOP_CHECK_EVERY = 32  # steps between looks at the cancel flag


def _check(runs: Sequence[RunConfig], seeds: int, batch_size: int, rows: int) -> None:
    if not runs:
        raise ValueError("a job needs at least one run")
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {seeds}")
    if not 1 <= batch_size <= rows:
        raise ValueError(f"batch_size must be in [1, {rows}] for this data set, got {batch_size}")


def _spread(values: Tensor) -> tuple[list[float], list[float], list[float], list[list[float]]]:
    """Per column of S×W losses: the mean over the seeds (in float64), the lowest, the highest, each seed's."""
    means: list[float] = values.double().mean(dim=0).tolist()
    lows: list[float] = values.min(dim=0).values.tolist()
    highs: list[float] = values.max(dim=0).values.tolist()
    return means, lows, highs, values.t().tolist()


class Trainer:
    """One job: R runs × S seeds on one data set; the runs of a seed share its weights and batch order."""

    def __init__(
        self,
        X: Tensor,
        y: Tensor,
        runs: Sequence[RunConfig],
        *,
        batch_size: int,
        epochs: int,
        seed: int,
        seeds: int = 1,
        device: str | torch.device = "cpu",
        record_every: int | None = None,
        curves: bool = True,
    ) -> None:
        rows, features = X.shape
        _check(runs, seeds, batch_size, rows)
        self.device = device if isinstance(device, torch.device) else resolve_device(device)
        self.schedule = Schedule.book(rows=rows, batch_size=batch_size, epochs=epochs, record_every=record_every)
        self.runs = [RunResult(config) for config in runs]
        self.seed, self.seeds = seed, seeds
        # Seed k alone decides seed k's weights and batch orders: a job of S seeds holds, column by
        # column, the jobs of one seed each.
        self.generators = [torch.Generator().manual_seed(seed + k) for k in range(seeds)]
        ones = torch.ones(rows, 1, dtype=DTYPE)
        self.Xa = torch.cat([X.to(DTYPE), ones], dim=1).to(self.device)  # [X 1]: θ = [w; b] in one product
        self.y = y.to(DTYPE).reshape(-1, 1).to(self.device)
        self.neg_y = -self.y
        self.features = features
        self._place_groups(runs)
        self._place_weights(len(runs))
        self._second_moments(rows)
        for group in self.groups:
            self._make_steppers(group)
        self.curves = curves  # False: each run keeps only its last point (a sweep's thousands of runs)
        self.grad_seconds = 0.0
        self.steps_done = 0
        self._seen = 0  # examples seen
        self.stopped = False  # set when should_stop ended the job early

    # --- set-up ---------------------------------------------------------------------------

    def _second_moments(self, rows: int) -> None:
        """The full-data loss from the data's second moments (float64): O(F²R) per point, not O(nFR)."""
        Xa64, y64 = self.Xa.double(), self.y.double()
        self.gram = (Xa64.t() @ Xa64) / rows  # (F+1)×(F+1)
        self.xty = (Xa64.t() @ y64) / rows  # (F+1)×1
        self.yty = float((y64 * y64).mean())

    def _place_weights(self, width: int) -> None:
        """θ (each seed's own initial w, b = 0, the same for every run of the seed), its gradient,
        and one residual buffer per minibatch size."""
        seeds, features, dev = self.seeds, self.features, self.device
        self.theta = torch.zeros(seeds, features + 1, width, dtype=DTYPE, device=dev)
        for k, generator in enumerate(self.generators):
            w0 = torch.normal(0.0, INIT_STD, (features, 1), generator=generator, dtype=DTYPE)
            self.theta[k, :features] = w0.to(dev)
        self.grad = torch.zeros_like(self.theta)
        self.residuals = {
            size: torch.empty(seeds, size, width, dtype=DTYPE, device=dev) for _, size in self.schedule.batches()
        }

    def _place_groups(self, runs: Sequence[RunConfig]) -> None:
        """Groups own contiguous run columns of θ; run i is column_of[i] in group_of[i]."""
        self.groups: list[Group] = []
        self.column_of = [0] * len(runs)
        placed: dict[int, Group] = {}
        col = 0
        for members in group_runs(runs):
            group = Group(members, slice(col, col + len(members)))
            self.groups.append(group)
            for i in members:
                self.column_of[i], placed[i] = col, group
                col += 1
        self.group_of = [placed[i] for i in range(len(runs))]

    def _make_steppers(self, group: Group) -> None:
        F, cols, dev = self.features, group.cols, self.device
        configs = [self.runs[i].config for i in group.runs]
        spec = get_optimizer(configs[0].optimizer)
        noise = configs[0].hyperparams.get("noise", 0.0)
        generator = torch.Generator(device=dev).manual_seed(self.seed) if noise else None
        if configs[0].impl == "book":
            # w (S×F×K) and b (S×1×K) are separate parameters with separate states, as in the book.
            views = (
                (self.theta[:, :F, cols], self.grad[:, :F, cols]),
                (self.theta[:, F:, cols], self.grad[:, F:, cols]),
            )
            hp: dict[str, float | Tensor] = {
                name: torch.tensor([[c.hyperparams[name] for c in configs]], dtype=DTYPE, device=dev)
                for name in configs[0].hyperparams
                if name != "noise"
            }
            if "noise" in configs[0].hyperparams:
                hp["noise"] = float(noise)
            group.steppers = [(BookStepper(spec, param, hp, generator), grad) for param, grad in views]
        else:
            # One torch.optim optimizer per run, over its columns [w; b] of every seed: every mapped
            # optimizer is elementwise, so each coordinate of each seed keeps its own state.
            floats = dict(configs[0].hyperparams)
            group.steppers = [(TorchStepper(spec, self.theta[:, :, cols], floats, generator), self.grad[:, :, cols])]

    # --- the loop -------------------------------------------------------------------------

    def _clock(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def _full_losses(self) -> Tensor:
        """Mean of (ŷ−y)²/2 over every row, for every seed (rows) and column of θ, exactly expanded:
        ½ (θᵀ G θ − 2 θᵀ Xᵀy/n + yᵀy/n) with G = XᵀX/n, in float64, then rounded to float32
        so a loss beyond float32's range reads as inf (diverged), as the direct sum would.
        """
        theta = self.theta.double()
        quad = (theta * (self.gram @ theta)).sum(dim=1) - 2.0 * (self.xty * theta).sum(dim=1) + self.yty
        return quad.mul_(0.5).float().cpu()

    def _record(self, index: int, seen: int, final: bool) -> Point:
        epoch = seen / self.schedule.rows
        values = self._full_losses()  # S×W
        finite: list[bool] = torch.isfinite(values).all(dim=0).tolist()  # one seed's divergence is the run's
        if not self.curves:
            return self._record_last(index, epoch, values, finite, final)
        means, lows, highs, per_seed = _spread(values)
        points: list[RunPoint | None] = []
        stopped: list[int] = []
        for i, run in enumerate(self.runs):
            if run.status != "running":
                points.append(None)
                continue
            col = self.column_of[i]
            if not finite[col]:
                run.status, run.diverged_at = "diverged", epoch
                points.append(None)
                stopped.append(i)
                self._close(i, epoch)
                continue
            point = RunPoint(means[col], lows[col], highs[col], self._elapsed(i))
            run.add(epoch, point, per_seed[col])
            points.append(point)
            if final:
                run.status = "done"
                stopped.append(i)
                self._close(i, epoch)
        return Point(index=index, step=self.steps_done, epoch=epoch, runs=points, stopped=stopped)

    def _record_last(self, index: int, epoch: float, values: Tensor, finite: list[bool], final: bool) -> Point:
        """Without curves: runs are visited only when one diverges and at the end, where each keeps
        its last point (the previous point's losses are kept for that)."""
        stopped: list[int] = []
        if not all(finite):
            for i in self._running():
                if not finite[self.column_of[i]]:
                    self.runs[i].status, self.runs[i].diverged_at = "diverged", epoch
                    stopped.append(i)
                    self._close(i, epoch)
        if final:
            means, lows, highs, per_seed = _spread(values)
            for i in self._running():
                col = self.column_of[i]
                self.runs[i].add(epoch, RunPoint(means[col], lows[col], highs[col], self._elapsed(i)), per_seed[col])
                self.runs[i].status = "done"
                stopped.append(i)
                self._close(i, epoch)
        return Point(index=index, step=self.steps_done, epoch=epoch, runs=[], stopped=stopped)

    def _running(self) -> list[int]:
        return [i for i, run in enumerate(self.runs) if run.status == "running"]

    def _elapsed(self, run: int) -> float:
        """Training time spent on a run so far: its share of its group's steps and of the gradients."""
        group = self.group_of[run]
        return group.seconds / len(group.runs) + self.grad_seconds / len(self.runs)

    def _close(self, run: int, epoch: float) -> None:
        """Freeze a run's timing; a group with no live run stops stepping."""
        self.group_of[run].live -= 1
        result = self.runs[run]
        result.epochs_done = epoch
        result.seconds = self._elapsed(run)

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

    def _epochs(self) -> Iterator[tuple[Tensor, Tensor, Tensor]]:
        """Per epoch, every seed's shuffled data in float64 (for ``_gradient``): X (S×n×(F+1)), its
        transpose, and −y (S×n×1)."""
        sched = self.schedule
        per_seed = [batch_orders(sched.rows, sched.epochs, generator) for generator in self.generators]
        for orders in zip(*per_seed, strict=True):
            perm = torch.stack(orders).to(self.device)  # S×n
            Xp = self.Xa[perm].double()
            yield Xp, Xp.transpose(1, 2).contiguous(), self.neg_y[perm].double()

    def _gradient(self, Xp: Tensor, XpT: Tensor, neg_yp: Tensor, start: int, size: int) -> None:
        """∇ of the minibatch's mean squared loss, for every seed and run: Xᵀ(Xθ − y)/size.

        The float32 weights and residuals are multiplied and summed in float64, then rounded: a
        product of two float32 numbers is exact in float64, so each sum comes out the same to the
        last float32 bit whatever order the matrix kernel adds in. That order depends on how many
        columns θ has, so without this a run's numbers would depend on how many runs share its
        job; with it a run is bit for bit the same alone, beside others or as a sweep's cell.
        """
        r = self.residuals[size]
        end = start + size
        r.copy_(torch.baddbmm(neg_yp[:, start:end], Xp[:, start:end], self.theta.double()))
        self.grad.copy_(torch.bmm(XpT[:, :, start:end], r.double()).mul_(1.0 / size))

    def points(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Point]:
        """Train, yielding every recorded point; stop early (runs 'cancelled') when asked."""
        sched = self.schedule
        records = sched.records()
        batches = sched.batches()
        index = 0
        yield self._record(index, 0, final=False)
        with torch.no_grad():
            for Xp, XpT, neg_yp in self._epochs():
                for start, size in batches:
                    if should_stop is not None and self.steps_done % STOP_CHECK_EVERY == 0 and should_stop():
                        self.stopped = True
                        self.cancel_remaining()
                        return
                    t0 = self._clock()
                    self._gradient(Xp, XpT, neg_yp, start, size)
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
