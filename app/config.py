"""All configuration in one place: environment variables with the OPTLAB_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTLAB_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="folder holding airfoil_self_noise.dat")
    db_path: Path | None = Field(None, description="SQLite run history; default <data_dir>/optlab.sqlite3")
    max_concurrent_jobs: int = Field(2, ge=1, le=64, description="training jobs that run at once")
    max_queued_jobs: int = Field(16, ge=0, le=10_000, description="jobs waiting beyond the running ones")
    cors_origins: list[str] = Field(default_factory=list, description="allowed CORS origins; empty = closed")
    torch_threads: int = Field(1, ge=1, le=64, description="torch intra-op threads (1 is fastest for tiny tensors)")
    warm_up: bool = Field(True, description="import torch.optim at start-up, not on the first request")
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
        description="memory for uploaded data sets, kept for the server's lifetime; then 413",
    )

    @property
    def database_path(self) -> Path:
        return self.db_path if self.db_path is not None else self.data_dir / "optlab.sqlite3"


@lru_cache
def get_settings() -> Settings:
    return Settings()
