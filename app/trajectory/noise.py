"""The book's simulated stochastic gradient (7.2): g + σ·N(0, 1) per coordinate, seeded.

A run alone draws ``torch.randn(2, generator=Generator().manual_seed(seed))`` at every step (that
is what the 2D lab has always done, so a seed names the same path). Drawing fewer than 16 normals
at once goes through torch's scalar path, which consumes the generator exactly as that many
single draws would; 14 at a time (7 steps) is the same stream at a seventh of the calls. Every row
of a batch with the same seed gets the same noise at step t, as each would alone.
"""

from __future__ import annotations

import numpy as np
import torch

_STEPS_PER_DRAW = 7  # 14 normals: below torch's vectorised threshold of 16


class NoiseStream:
    def __init__(self, seed: int) -> None:
        self.generator = torch.Generator().manual_seed(seed)
        self._buffer = np.empty((0, 2))

    def take(self, n: int) -> np.ndarray:
        """The noise of the next ``n`` steps, shape (n, 2)."""
        parts = [self._buffer]
        have = len(self._buffer)
        while have < n:
            block = torch.randn(2 * _STEPS_PER_DRAW, generator=self.generator, dtype=torch.float64)
            parts.append(block.numpy().reshape(_STEPS_PER_DRAW, 2))
            have += _STEPS_PER_DRAW
        draws = np.concatenate(parts) if len(parts) > 1 else self._buffer
        self._buffer = draws[n:]
        return draws[:n]
