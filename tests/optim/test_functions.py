"""Objective functions: analytic gradients against autograd, boxes, starts and minima."""

from __future__ import annotations

import pytest
import torch

from app.optim.functions import OBJECTIVES, contour_grid, get_objective


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_analytic_gradient_matches_autograd(name: str) -> None:
    objective = get_objective(name)
    box = objective.box
    gen = torch.Generator().manual_seed(7)
    for _ in range(25):
        u = torch.rand(2, generator=gen, dtype=torch.float64)
        x = torch.stack((box[0] + u[0] * (box[1] - box[0]), box[2] + u[1] * (box[3] - box[2]))).requires_grad_()
        objective.at(x).backward()
        assert x.grad is not None
        torch.testing.assert_close(objective.gradient(x.detach()), x.grad, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_start_lies_in_the_view_box(name: str) -> None:
    objective = get_objective(name)
    x1min, x1max, x2min, x2max = objective.box
    assert x1min < objective.start[0] < x1max and x2min < objective.start[1] < x2max


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_known_minima_are_stationary_points(name: str) -> None:
    objective = get_objective(name)
    for minimum in objective.minima:
        g = objective.gradient(torch.tensor(minimum, dtype=torch.float64))
        assert g.abs().max() < 1e-4, (name, minimum, g)


def test_himmelblau_minima_are_all_zero() -> None:
    objective = get_objective("himmelblau")
    values = [float(objective.at(torch.tensor(m, dtype=torch.float64))) for m in objective.minima]
    assert max(values) < 1e-9


def test_contour_grid_rows_run_along_x2() -> None:
    objective = get_objective("quadratic")
    grid = contour_grid(objective, (-1.0, 1.0, -2.0, 2.0), n=5)
    assert grid["x1"] == [-1.0, -0.5, 0.0, 0.5, 1.0] and grid["x2"] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    # z[i][j] = f(x1[j], x2[i]): the first row is x2 = -2, varying x1.
    assert grid["z"][0][0] == pytest.approx(0.1 * 1 + 2 * 4)
    assert grid["z"][0][2] == pytest.approx(8.0)


def test_unknown_function_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown function 'nope'"):
        get_objective("nope")
