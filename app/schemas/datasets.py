"""Data sets a job can train on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DatasetInfo(BaseModel):
    id: str = Field(description="what POST /api/jobs takes as 'dataset'")
    label: str
    kind: Literal["airfoil", "synthetic", "upload"]
    available: bool
    reason: str | None = Field(description="why it is unavailable")
    synthetic: bool
    rows: int | None
    features: int | None
    columns: list[str] = Field(description="feature names, then the target's")
    description: str
    filename: str | None = Field(description="uploads: the file's name as sent (display only)")
    created_at: float | None
    mine: bool = Field(False, description="an upload of this browser: it may delete it")
