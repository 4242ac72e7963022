"""Imported once by the worker pool's fork server, so that every worker it forks starts warm.

The first ``torch.optim`` optimizer in a process imports torch._dynamo and sympy (about a second);
doing that here, before any worker exists, means no request ever waits for it; numba's import
(a third of a second, for sweeps) likewise. One intra-op
thread: for tensors this small it is faster, and a fork server must not run a thread pool.
"""

from __future__ import annotations

import torch

import app.sweep.trajectory  # a sweep's blocks: numba imported once, here
import app.trajectory.pool
import app.trajectory.work  # noqa: F401  (the task functions workers run)

torch.set_num_threads(1)
_x = torch.zeros(1, requires_grad=True)
_x.grad = torch.zeros(1)
torch.optim.Adam([_x]).step()
del _x
