"""Fuzzing: schemathesis generates requests from the app's own OpenAPI document and runs them in-process.

Every operation (including routers added later) must answer without a 5xx, with a documented status
code, and with a body that matches its documented schema. Bounded: a few examples per operation, and
streams are finite (the trajectory stream by construction, others cut by schemathesis' event limit).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python.asgi import shutdown_lifespans

from app.config import Settings
from app.main import create_app
from tests.utils import DATA_DIR, TEST_HOSTS

MAX_EXAMPLES = 20  # per operation and phase: 10-20 s for the whole API on 2 busy cores
# "Schema-valid data must be accepted" cannot hold where validity depends on more than JSON Schema can say:
# a box with min < max, an expression's grammar, bounds that depend on the chosen optimizer, a CSV's
# content, an existing run id. Those answers are 422s, which the other checks still hold to their schema.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]

# The schema is read at collection time (schemathesis parametrises one test per operation), so the app
# is built here, on its own temporary database.
_WORKDIR = Path(tempfile.mkdtemp(prefix="optlab-fuzz-"))
app = create_app(
    Settings(data_dir=DATA_DIR, db_path=_WORKDIR / "runs.sqlite3", warm_up=False, allowed_hosts=TEST_HOSTS)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _stop_the_app() -> Iterator[None]:
    yield
    shutdown_lifespans()  # schemathesis keeps the app's lifespan running until asked to stop
    shutil.rmtree(_WORKDIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_within_its_contract(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)
