"""A seeded linear-regression set shaped like the airfoil data, for when the real file is absent.

Fixed seed: the set is the same on every server, so results stay comparable. Always labelled
synthetic.
"""

from __future__ import annotations

import numpy as np

from app.data.dataset import Dataset, split_xy, standardise

SEED = 20_240_707
ROWS, FEATURES = 1500, 5
TRUE_W = (1.2, -0.8, 0.5, 0.0, -0.3)
TRUE_B = 0.4
NOISE = 0.5


# The page shows these in its language: app/i18n/data.py hands them to the translators.
LABEL = "Synthetic (seeded linear regression)"
DESCRIPTION = (
    f"SYNTHETIC, not real data: {ROWS}×{FEATURES} Gaussian features, y = X·w + b + noise "
    f"(w = {list(TRUE_W)}, b = {TRUE_B}, noise std {NOISE}, seed {SEED}), standardised like the book"
)


def make_synthetic() -> Dataset:
    """y = X w + b + N(0, 0.5²), X ~ N(0, 1); then the book's standardisation of every column."""
    rng = np.random.Generator(np.random.PCG64(SEED))
    X = rng.standard_normal((ROWS, FEATURES))
    y = X @ np.asarray(TRUE_W) + TRUE_B + NOISE * rng.standard_normal(ROWS)
    columns = (*(f"x{j + 1}" for j in range(FEATURES)), "y")
    Xs, ys = split_xy(standardise(np.column_stack([X, y]), columns))
    return Dataset(
        id="synthetic",
        label=LABEL,
        kind="synthetic",
        X=Xs,
        y=ys,
        columns=columns,
        synthetic=True,
        description=DESCRIPTION,
    )
