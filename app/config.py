"""All configuration in one place: environment variables with the OPTLAB_ prefix."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _names(value: Any) -> Any:
    """A list from the environment: a JSON list, or names separated by commas ('[::1]' is a name, not JSON)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(item).strip() for item in parsed if str(item).strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTLAB_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="folder holding airfoil_self_noise.dat")
    db_path: Path | None = Field(None, description="SQLite run history; default <data_dir>/optlab.sqlite3")
    max_concurrent_jobs: int = Field(2, ge=1, le=64, description="training jobs that run at once")
    max_queued_jobs: int = Field(16, ge=0, le=10_000, description="jobs waiting beyond the running ones")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="other origins allowed to call the API (CORS, and POST/DELETE from their pages); empty = closed",
    )
    torch_threads: int = Field(1, ge=1, le=64, description="torch intra-op threads (1 is fastest for tiny tensors)")
    warm_up: bool = Field(
        True, description="import torch.optim and start the 2D workers at start-up, not on the first request"
    )
    # --- the 2D service ---
    workers: int | None = Field(
        None,
        ge=1,
        le=256,
        description="worker processes computing 2D comparisons (one torch thread each); default: the number of cores",
    )
    trajectory_cache_mb: int = Field(
        64,
        ge=0,
        le=1024**2,
        description="memory for finished 2D comparisons kept to answer repeats at once; 0 turns the cache off",
    )
    # --- limits ---
    max_body_bytes: int = Field(
        12 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="request bodies above this get 413 (a 10 MB CSV fits)",
    )
    max_streams_per_client: int = Field(8, ge=1, le=1000, description="open event streams per client IP; then 429")
    max_response_points: int = Field(
        50_000,
        ge=100,
        le=10_000_000,
        description="steps × runs one POST /api/trajectories may return; then 422",
    )
    # --- training jobs and data sets ---
    max_job_steps: int = Field(
        1_000_000,
        ge=1,
        le=1_000_000_000,
        description="optimizer steps (epochs × minibatches per epoch) one training job may take; more → 422",
    )
    max_kept_jobs: int = Field(200, ge=1, le=100_000, description="finished jobs kept in memory with their events")
    # --- sweeps ---
    max_sweep_work: int = Field(
        20_000_000,
        ge=1,
        le=10_000_000_000,
        description="cells × steps one sweep may take (training: steps = epochs × minibatches); more → 422",
    )
    max_upload_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="largest CSV accepted by POST /api/datasets; more → 413",
    )
    upload_memory_mb: int = Field(
        256,
        ge=1,
        le=1024**2,
        description="MB of uploaded data sets kept (in memory and on disk); then the least recently used is evicted",
    )

    # --- a server for a class: who may do what, and fair shares ---
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description="Host names this server answers to ('*' = any, '*.example.org' = its subdomains); others → 400",
    )
    admin_token: SecretStr | None = Field(
        None,
        description="the teacher's token: 'Authorization: Bearer <token>' cancels, deletes, pins anything; unset: none",
    )
    max_compute_per_client: int = Field(
        4, ge=1, le=1000, description="one-shot computations one client (owner) may run at once; then 429"
    )
    max_jobs_per_client: int = Field(
        4, ge=1, le=10_000, description="queued or running jobs and sweeps of one client (owner); then 429"
    )
    history_max_runs: int = Field(
        10_000, ge=1, le=10_000_000, description="records the history keeps; beyond, the oldest unpinned are pruned"
    )
    history_max_mb: int = Field(
        1_000, ge=1, le=10**7, description="MB of records the history keeps; beyond, the oldest unpinned are pruned"
    )
    uploads_dir: Path | None = Field(
        None, description="where uploaded data sets are stored; default <folder of db_path>/uploads"
    )

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        return _names(value)

    @property
    def uploads_path(self) -> Path:
        return self.uploads_dir if self.uploads_dir is not None else self.database_path.parent / "uploads"

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers is not None else cores()

    @property
    def database_path(self) -> Path:
        return self.db_path if self.db_path is not None else self.data_dir / "optlab.sqlite3"


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@lru_cache
def get_settings() -> Settings:
    return Settings()
