"""The book's printed results, each with the request that re-runs it (the /book page runs them)."""

from __future__ import annotations

from fastapi import APIRouter

from app.book import catalogue
from app.schemas.book import BookOut

router = APIRouter(tags=["book"])


@router.get("/api/book", response_model=BookOut)
def get_book() -> BookOut:
    """Every printed result of ch. 7 (§7.2–7.8): section, description (en, zh), ``kind``, the exact
    ``request`` for ``POST /api/trajectories`` or ``POST /api/jobs``, what the book ``printed``, and
    the verdict's rules (``decimals``, ``seeds``, ``sigmas``)."""
    return BookOut.model_validate(catalogue(), from_attributes=True)
