"""The README's reference tables agree with the code: every endpoint, and every optimizer's torch
class and default ε (a new endpoint or optimizer cannot land undocumented)."""

from __future__ import annotations

import re

import pytest

from app.main import create_app
from app.optim.registry import OPTIMIZERS
from tests.utils import ROOT

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has a '## {title}' section"
    return match.group(1)


def table_rows(text: str) -> dict[str, str]:
    """First cell (backticks stripped) → the whole row, for the Markdown table rows of ``text``."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) > 1 and not set(cells[0]) <= {"-", " "}:
            rows[cells[0].strip("`")] = line
    return rows


def short(x: float) -> str:
    return f"{x:g}".replace("e-0", "e-")  # 1e-6 as the README writes it


def test_every_endpoint_is_in_the_api_table() -> None:
    api = section("HTTP API")
    paths = create_app().openapi()["paths"]
    missing = [
        f"{method.upper()} {path}"
        for path, ops in paths.items()
        for method in ops
        if f"`{method.upper()} {path}`" not in api
    ]
    assert missing == []


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_has_a_row_with_its_torch_class_and_default_eps(name: str) -> None:
    spec = OPTIMIZERS[name]
    row = table_rows(section("Book or torch.optim")).get(name)
    assert row, f"README: add a row for {name}"
    assert f"`{spec.torch.cls.__name__}(" in row
    if "eps" in spec.torch.default_overrides:
        eps_torch, eps_book = spec.torch.default_overrides["eps"], spec.defaults("book")["eps"]
        assert f"default ε {short(eps_torch)} instead of {short(eps_book)}" in row


def alias_cell(row: str) -> dict[str, str]:
    """'`lr` → `eta`; `momentum`, `beta` → `gamma`' → {lr: eta, momentum: gamma, beta: gamma}."""
    cell = row.strip().strip("|").split("|")[-1]
    listed = {}
    for part in cell.split(";"):
        if "→" in part:
            left, right = part.split("→")
            for alias in re.findall(r"`(\w+)`", left):
                listed[alias] = right.strip().strip("`")
    return listed


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_row_lists_its_aliases(name: str) -> None:
    row = table_rows(section("Book or torch.optim"))[name]
    aliases = {alias: hp.name for hp in OPTIMIZERS[name].hyperparams for alias in hp.aliases}
    assert alias_cell(row) == aliases
