"""Imported once by the worker pool's fork server, so that every worker it forks starts warm.

The first ``torch.optim`` optimizer in a process imports torch._dynamo and sympy (about a second);
doing that here, before any worker exists, means no request ever waits for it; numba's import
(a third of a second, for sweeps) likewise, and the compiled loops of the sweep page's first Run
(RMSProp and momentum on the quadratic, ``static/js/views/sweep/state.js``), which each worker
would otherwise build at a student's first click (0.5–0.9 s per optimizer). One intra-op
thread: for tensors this small it is faster, and a fork server must not run a thread pool.
"""

from __future__ import annotations

import torch

import app.sweep.trajectory  # a sweep's blocks: numba imported once, here
import app.trajectory.pool
import app.trajectory.work  # noqa: F401  (the task functions workers run)
from app.optim.functions import OBJECTIVES
from app.optim.registry import get_optimizer
from app.trajectory.runner import Batch

torch.set_num_threads(1)
_x = torch.zeros(1, requires_grad=True)
_x.grad = torch.zeros(1)
torch.optim.Adam([_x]).step()
del _x

for _name in ("rmsprop", "momentum"):
    _spec = get_optimizer(_name)
    _batch = Batch(_spec, OBJECTIVES["quadratic"], [[-5.0, -2.0]], _spec.defaults(), record=False, tolerance=(0, 1e-6))
    _batch.start()
    _batch.advance(1)
del _name, _spec, _batch
