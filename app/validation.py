"""Refusals that a service raises about the fields of a request it was given.

Services know nothing of HTTP: they raise ``Refused`` with every field at fault, and the API
turns it into the usual 422 body (app/api/errors.py). Checks that need the server's state (a data
set's rows, a step limit, the device) live in the services, so they are raised this way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.i18n.text import Text


@dataclass(frozen=True)
class FieldProblem:
    """One refused field: its name in the request body (``runs[0].hyperparams.eta``) and why."""

    field: str
    message: str | Text  # a Text is answered in the request's language
    value: Any = None
    type: str = "value_error"
    ctx: dict[str, Any] = dataclasses.field(default_factory=dict)


class Refused(ValueError):
    """A request refused for one or more of its fields, all reported at once."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems
