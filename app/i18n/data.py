"""The server's own data strings that the API answers in the request's language.

What the page shows of the server's catalogues (optimizers' names, summaries and PyTorch notes,
hyper-parameters' descriptions, functions' names and notes, the built-in data sets' names and
descriptions) is written once, where it is defined. Babel's extraction (babel.cfg) runs
``extract`` on this file, which reads those strings from their modules; the routers look each
one up with ``translate`` when they answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

_WORDS = re.compile(r"[A-Za-z]{3,}")  # a formula (x ← x − η ∇f(x)) has nothing to translate


def data_strings() -> Iterator[str]:
    from app.data import airfoil, synthetic
    from app.optim.functions import OBJECTIVES
    from app.optim.registry import OPTIMIZERS

    for spec in OPTIMIZERS.values():
        yield from (spec.label, spec.formula, spec.torch.notes)
        yield from (hp.description for hp in spec.hyperparams)
    for objective in OBJECTIVES.values():
        yield from (objective.label, objective.note or "")
    yield from (airfoil.LABEL, airfoil.DESCRIPTION, synthetic.LABEL, synthetic.DESCRIPTION)


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extraction method: each data string once (line 0: they live in other modules)."""
    for text in dict.fromkeys(data_strings()):
        if _WORDS.search(text):
            yield 0, None, text, []
