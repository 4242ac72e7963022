"""Shared fixtures: the app on a temporary database, the book's data from ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from tests.utils import ADMIN_TOKEN, DATA_DIR, TEST_HOSTS

if TYPE_CHECKING:  # app modules are imported inside the fixtures, once the test has set the environment
    from app.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    from app.config import Settings

    return Settings(
        data_dir=DATA_DIR,
        db_path=tmp_path / "runs.sqlite3",
        warm_up=False,
        allowed_hosts=TEST_HOSTS,
        admin_token=ADMIN_TOKEN,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session, which would break the asyncio.run of later unit tests."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
