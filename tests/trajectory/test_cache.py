"""A request's digest names what it computes (defaults, spellings and number types do not matter;
anything that changes the paths does), and the answer cache is bounded by bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.schemas.trajectories import TrajectoryRequest
from app.trajectory.answers import prepare
from app.trajectory.cache import Entry, ResultCache
from app.trajectory.comparison import RunConfig, RunResult
from app.trajectory.work import History

UNUSED = History(Path("unused.sqlite3"), 10, 2**20)
BASE: dict[str, Any] = {"function": "quadratic", "steps": 20, "runs": [{"optimizer": "rmsprop"}]}


def key(**changes: Any) -> str:
    return prepare(TrajectoryRequest.model_validate({**BASE, **changes}), UNUSED).key


@pytest.mark.parametrize(
    "same",
    [
        {"start": [-5, -2]},  # the default start, as ints
        {"box": [-5.5, 1.0, -3.0, 1.0]},  # the default box
        {"seed": 0},
        {"runs": [{"optimizer": "rmsprop", "impl": "book", "hyperparams": {"eta": 0.4, "gamma": 0.9, "eps": 1e-6}}]},
        {"runs": [{"optimizer": "rmsprop", "hyperparams": {"lr": 0.4, "alpha": 0.9}}]},  # aliases
    ],
)
def test_the_filled_in_request_is_what_counts(same: dict[str, Any]) -> None:
    assert key(**same) == key()


@pytest.mark.parametrize(
    "other",
    [
        {"start": [-5, -1.9]},
        {"box": [-6, 1, -3, 1]},
        {"steps": 21},
        {"seed": 1},
        {"runs": [{"optimizer": "rmsprop", "hyperparams": {"eta": 0.41}}]},
        {"runs": [{"optimizer": "rmsprop", "impl": "torch"}]},
        {"runs": [{"optimizer": "rmsprop"}, {"optimizer": "adam"}]},
        {"function": "bowl"},
    ],
)
def test_anything_that_changes_the_paths_changes_the_key(other: dict[str, Any]) -> None:
    assert key(**other) != key()


def test_run_order_matters() -> None:
    ab = {"runs": [{"optimizer": "adam"}, {"optimizer": "gd"}]}
    ba = {"runs": [{"optimizer": "gd"}, {"optimizer": "adam"}]}
    assert key(**ab) != key(**ba)


def test_the_run_id_names_the_request_whoever_asks() -> None:
    req = TrajectoryRequest.model_validate(BASE)
    alice, bob = (prepare(req, UNUSED, owner) for owner in ("alice-0123456789ab", "bob"))
    assert alice.key == bob.key  # one answer, cached for everyone
    assert alice.dest.run_id == bob.dest.run_id == alice.key[:12]  # one record per distinct request
    assert (alice.dest.owner, bob.dest.owner) == ("alice-0123456789ab", "bob")  # the first to ask owns it
    assert alice.dest.config["digest"] == alice.key
    other = TrajectoryRequest.model_validate({**BASE, "steps": 21})
    assert prepare(other, UNUSED, "alice-0123456789ab").dest.run_id != alice.dest.run_id


def test_a_typed_expression_is_hashed_in_one_spelling() -> None:
    custom = {"function": "custom", "start": [1, 1]}
    assert key(**custom, expression="0.1*x1**2+2*x2**2") == key(**custom, expression=" 0.1 * x1 ** 2 + 2 * x2**2 ")
    assert key(**custom, expression="0.1*x1**2+2*x2**2") != key(**custom, expression="0.1*x1**2+3*x2**2")


def entry(points: int) -> Entry:
    config = RunConfig("gd", "book", {"eta": 0.1})
    result = RunResult(config, np.zeros((points, 2)), np.zeros(points), np.zeros((points - 1, 2)))
    return Entry([result])


def test_the_cache_keeps_the_most_recent_entries_within_its_bytes() -> None:
    one = entry(101).nbytes  # 101 points, 101 values, 100 rates
    cache = ResultCache(3 * one)
    for name in "abc":
        cache.put(name, entry(101))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", entry(101))
    assert cache.get("b") is None and {k for k in "acd" if cache.get(k)} == {"a", "c", "d"}
    assert cache.stats()["bytes"] == 3 * one and cache.stats()["entries"] == 3
    cache.put("huge", entry(1000))  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and cache.stats()["entries"] == 3


def test_a_cache_of_zero_bytes_keeps_nothing() -> None:
    cache = ResultCache(0)
    cache.put("a", entry(3))
    assert cache.get("a") is None
