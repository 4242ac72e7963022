"""A record's title, made from what it ran: stored in English, answered in the reader's language.

``quadratic: adagrad (book) vs rmsprop (book)`` for a comparison, ``NASA airfoil self-noise,
batch 10, 2 epochs: adagrad (book), rmsprop (book)`` for a training job. The producers store
``str()`` of it; the History answers re-make it from the record's config in the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.data.registry import upload_label
from app.i18n.text import N_, Gettext, Joined, Text

_IMPLS = {"book": Text(N_("book"))}  # torch is torch in every language
_VERSUS = N_(" vs ")


def _run_names(runs: Sequence[Mapping[str, Any]]) -> list[str | Text]:
    return [
        Text("{optimizer} ({impl})", optimizer=run["optimizer"], impl=_IMPLS.get(run["impl"], run["impl"]))
        for run in runs
    ]


def comparison_title(function: str, runs: Sequence[Mapping[str, Any]]) -> Text:
    return Text("{function}: {runs}", function=function, runs=Joined(Text(_VERSUS), _run_names(runs)))


def job_title(dataset_label: str | Text, batch_size: int, epochs: int, runs: Sequence[Mapping[str, Any]]) -> Text:
    return Text(
        "{dataset}, batch {batch}, {epochs} epochs: {runs}",
        dataset=Text(dataset_label)
        if isinstance(dataset_label, str)
        else dataset_label,  # a built-in's name: translated
        batch=batch_size,
        epochs=epochs,
        runs=Joined(", ", _run_names(runs)),
    )


def record_title(kind: str, config: Mapping[str, Any]) -> Text | None:
    """The title of a record of ``kind`` made from its ``config``; None for a kind it does not know."""
    try:
        if kind == "trajectory":
            return comparison_title(str(config["function"]), config["runs"])
        if kind == "training":
            dataset = config["dataset"]
            label: str | Text = str(dataset["label"])
            if dataset.get("kind") == "upload" and dataset.get("filename"):
                label = upload_label(str(dataset["filename"]))
            return job_title(label, int(config["batch_size"]), int(config["epochs"]), config["runs"])
    except (KeyError, TypeError, ValueError):  # an older record without these: its stored title stands
        return None
    return None


def title_in(kind: str, config: Mapping[str, Any], stored: str, gettext: Gettext) -> str:
    """A record's title in the language of ``gettext`` (its stored title when it cannot be re-made)."""
    title = record_title(kind, config)
    return stored if title is None else title.render(gettext)
