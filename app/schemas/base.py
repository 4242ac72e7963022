"""What every model shares: the strict base (extra fields refused, no NaN) and the status words."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Impl = Literal["book", "torch"]
# A job is active (it can still change) until it is finished; the pages read both lists from /healthz.
ActiveJobStatus = Literal["queued", "running"]
FinishedJobStatus = Literal["done", "failed", "cancelled", "interrupted"]
JobStatus = Literal[ActiveJobStatus, FinishedJobStatus]
COORD_LIMIT = 1e5


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
