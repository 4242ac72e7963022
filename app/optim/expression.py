"""Custom objectives typed as text, e.g. ``0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)``.

Safety by construction: the text is screened character by character, then ``ast.parse`` only
*builds a tree* (nothing is evaluated), every node is checked against a whitelist, and the tree
is turned into nested closures over the operations of an :class:`~app.optim.ops.Ops` (floats,
numpy or torch). No user text ever reaches ``eval``, ``exec`` or ``compile``. Gradients come from
autograd on float64 tensors, like the rest of the 2D lab; constant sub-expressions are folded once,
in float64 torch arithmetic, so ``1/0`` is inf (and refused at the start point), not an exception.

Grammar: numbers, ``x1``, ``x2``, ``pi``, ``e``, ``+ - * / **``, unary ``-``/``+``, parentheses
and the one-argument functions in :data:`FUNCTIONS`. Exponents are constants (no x1, x2):
write ``exp(x1)`` rather than ``e**x1``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from app.i18n.text import N_, Text
from app.optim.functions import Box, Objective, Pair
from app.optim.grammar import (
    CONSTANTS,
    FUNCTIONS,
    MAX_EXPONENT,
    MAX_NODES,
    MAX_WORK,
    OPERATORS,
    VARIABLES,
    ExpressionError,
    parse_tree,
    screen,
)
from app.optim.ops import FLOAT, NUMPY, TORCH, Ops

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_OPERATOR_TEXT: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Not: "not",
    ast.Invert: "~",
}
_NODE_TEXT: dict[type[ast.AST], str] = {
    ast.Attribute: N_("attribute access"),
    ast.Subscript: N_("subscripts"),
    ast.Lambda: N_("lambdas"),
    ast.ListComp: N_("comprehensions"),
    ast.SetComp: N_("comprehensions"),
    ast.DictComp: N_("comprehensions"),
    ast.GeneratorExp: N_("comprehensions"),
    ast.Compare: N_("comparisons"),
    ast.BoolOp: N_("'and'/'or'"),
    ast.IfExp: N_("conditional expressions"),
    ast.Tuple: N_("tuples"),
    ast.List: N_("lists"),
    ast.Dict: N_("dicts"),
    ast.Set: N_("sets"),
    ast.JoinedStr: N_("strings"),
    ast.NamedExpr: N_("assignments"),
    ast.Starred: N_("'*' unpacking"),
    ast.Await: N_("'await'"),
    ast.Yield: N_("'yield'"),
    ast.YieldFrom: N_("'yield'"),
    ast.Slice: N_("slices"),
}

X = Any  # float | np.ndarray | Tensor
Fn = Callable[[X, X, Ops], X]
_ZERO = torch.zeros((), dtype=torch.float64)

CUSTOM_BOX: Box = (-5.0, 5.0, -5.0, 5.0)
CUSTOM_START: Pair = (-4.0, 3.0)  # off-centre: most typed functions have their minimum at the origin


class _Builder:
    """Turns a checked tree into closures; counts nodes so both recursion and per-step cost are bounded."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes = 0

    def segment(self, node: ast.AST) -> str:
        piece = ast.get_source_segment(self.text, node) or type(node).__name__
        return piece if len(piece) <= 30 else piece[:27] + "..."

    def build(self, node: ast.AST) -> tuple[Fn, bool]:
        """(closure, depends on x1/x2)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            message = Text("expression has more than {limit} terms (numbers, names, operations)", limit=MAX_NODES)
            raise ExpressionError(message, "nodes")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _NODE_TEXT.get(type(node), type(node).__name__)
        raise ExpressionError(
            Text("{what} not allowed: '{piece}'", what=Text(what), piece=self.segment(node)), self.segment(node)
        )

    def constant(self, node: ast.Constant) -> tuple[Fn, bool]:
        piece = self.segment(node)
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):  # True is an int: refuse
            raise ExpressionError(Text("only numbers are allowed as constants, not '{piece}'", piece=piece), piece)
        try:
            number = float(node.value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ExpressionError(Text("number '{piece}' is too large", piece=piece), piece)
        return _const(number), False

    def name(self, node: ast.Name) -> tuple[Fn, bool]:
        if node.id == "x1":
            return (lambda x1, x2, m: x1), True
        if node.id == "x2":
            return (lambda x1, x2, m: x2), True
        if node.id in CONSTANTS:
            return _const(CONSTANTS[node.id]), False
        if node.id in FUNCTIONS:
            raise ExpressionError(Text("'{name}' is a function: write {name}(...)", name=node.id), node.id)
        allowed = ", ".join((*VARIABLES, *CONSTANTS))
        raise ExpressionError(
            Text("unknown name '{name}'; allowed names: {allowed}", name=node.id, allowed=allowed), node.id
        )

    def unary(self, node: ast.UnaryOp) -> tuple[Fn, bool]:
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        if isinstance(node.op, ast.USub):
            inner, variable = self.build(node.operand)
            return (lambda x1, x2, m: -inner(x1, x2, m)), variable
        op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        raise ExpressionError(Text("operator '{op}' is not allowed", op=op), op)

    def binary(self, node: ast.BinOp) -> tuple[Fn, bool]:
        if isinstance(node.op, ast.Pow):
            return self.power(node)
        operation = _BINARY.get(type(node.op))
        if operation is None:
            op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
            message = Text("operator '{op}' is not allowed; use {operators}", op=op, operators=" ".join(OPERATORS))
            raise ExpressionError(message, op)
        (left, lv), (right, rv) = self.build(node.left), self.build(node.right)
        if lv != rv:  # the constant side becomes one float, computed once
            left, right = (left, _fold(right)) if lv else (_fold(left), right)
        return (lambda x1, x2, m: operation(left(x1, x2, m), right(x1, x2, m))), lv or rv

    def power(self, node: ast.BinOp) -> tuple[Fn, bool]:
        base, variable = self.build(node.left)
        exponent, exponent_variable = self.build(node.right)
        where = self.segment(node.right)
        if exponent_variable:
            raise ExpressionError(
                Text("exponent '{piece}' must be a constant (no x1, x2); use exp(...)", piece=where), where
            )
        p = float(exponent(_ZERO, _ZERO, TORCH))  # float64 in torch: 9**9**9 cannot become a huge Python int
        if not math.isfinite(p) or abs(p) > MAX_EXPONENT:
            limit = f"{MAX_EXPONENT:g}"
            raise ExpressionError(
                Text("exponent '{piece}' exceeds the limit |p| ≤ {limit}", piece=where, limit=limit), where
            )
        q: float | int = int(p) if p.is_integer() else p
        return (lambda x1, x2, m: m.pow(base(x1, x2, m), q)), variable

    def call(self, node: ast.Call) -> tuple[Fn, bool]:
        if not isinstance(node.func, ast.Name):
            piece = self.segment(node.func)
            raise ExpressionError(Text("only named functions can be called, not '{piece}'", piece=piece), piece)
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            message = Text("function '{name}' is not allowed; allowed functions: {allowed}", name=name, allowed=allowed)
            raise ExpressionError(message, name)
        if node.keywords:
            raise ExpressionError(Text("{name}(...) takes no keyword arguments", name=name), name)
        if len(node.args) != 1:
            message = Text("{name}(...) takes exactly one argument, got {count}", name=name, count=len(node.args))
            raise ExpressionError(message, name)
        inner, variable = self.build(node.args[0])
        return (lambda x1, x2, m: getattr(m, name)(inner(x1, x2, m))), variable


def _const(number: float) -> Fn:
    return lambda x1, x2, m: m.fill(x1, number)  # on the backend, so constant arithmetic rounds as torch's


def _fold(constant: Fn) -> Fn:
    value = float(constant(_ZERO, _ZERO, TORCH))
    return lambda x1, x2, m: value


@dataclass(frozen=True)
class Expression:
    text: str
    f: Fn  # f(x1, x2) elementwise on the given backend
    nodes: int  # cost of one evaluation, in operations

    def fn(self, x1: Tensor, x2: Tensor) -> Tensor:
        """f on tensors of any (equal) shape."""
        out: Tensor = self.f(x1, x2, TORCH)
        return out


def compile_expression(text: str) -> Expression:
    """Screen, parse and compile ``text``; raises ExpressionError naming the offending token or limit."""
    clean = screen(text)
    builder = _Builder(clean)
    fn, variable = builder.build(parse_tree(clean))
    if not variable:  # a constant f: one number, filling the input's shape
        value = float(fn(_ZERO, _ZERO, TORCH))
        fn = lambda x1, x2, m: m.fill(x1, value)  # noqa: E731
    return Expression(clean, fn, builder.nodes)


def check_work(expression: Expression, steps: int, runs: int) -> None:
    """Autograd costs ~3 µs per node and step: bound steps × runs × nodes so no request runs for minutes."""
    work = steps * runs * expression.nodes
    if work > MAX_WORK:
        shown, limit = f"{work:,}", f"{MAX_WORK:,}"
        message = Text(
            "{terms} terms × {steps} steps × {runs} runs = {work} exceeds the limit of {limit}; "
            "use fewer steps or runs or a shorter expression",
            terms=expression.nodes,
            steps=steps,
            runs=runs,
            work=shown,
            limit=limit,
        )
        raise ExpressionError(message, "work")


def custom_objective(
    expression: Expression | str,
    box: Sequence[float] | None = None,
    start: Sequence[float] | None = None,
) -> Objective:
    """An :class:`Objective` for the expression: value on points and grids, gradient by autograd.

    Refuses (ExpressionError) an expression whose value or gradient is not finite at ``start``.
    """
    if isinstance(expression, str):
        expression = compile_expression(expression)
    gradient = _autograd(expression.f)
    box_ = CUSTOM_BOX if box is None else (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    start_ = CUSTOM_START if start is None else (float(start[0]), float(start[1]))
    objective = Objective(
        name="custom",
        label="Custom f(x1, x2)",
        latex=expression.text,
        f=expression.f,
        df=gradient,
        box=box_,
        start=start_,
        minima=(),
    )
    x = torch.tensor(start_, dtype=torch.float64)
    at = f"({start_[0]:g}, {start_[1]:g})"
    if not torch.isfinite(objective.at(x)):
        value = float(objective.at(x))
        raise ExpressionError(Text("f is not finite at the start point {at}: {value}", at=at, value=value), "start")
    if not torch.isfinite(objective.gradient(x)).all():
        raise ExpressionError(Text("the gradient of f is not finite at the start point {at}", at=at), "start")
    return objective


def _autograd(f: Fn) -> Callable[[X, X, Ops], tuple[X, X]]:
    """∇f by autograd on float64 tensors, for points given as floats, numpy arrays or tensors."""

    def on_tensors(x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
        with torch.enable_grad():  # runners step under no_grad
            a, b = x1.detach().requires_grad_(True), x2.detach().requires_grad_(True)
            out = f(a, b, TORCH)
            if not out.requires_grad:
                return torch.zeros_like(a), torch.zeros_like(b)
            g1, g2 = torch.autograd.grad(out.sum(), (a, b), allow_unused=True)
        return (torch.zeros_like(a) if g1 is None else g1), (torch.zeros_like(b) if g2 is None else g2)

    def gradient(x1: X, x2: X, m: Ops) -> tuple[X, X]:
        if m is FLOAT:
            g1, g2 = on_tensors(torch.tensor(x1, dtype=torch.float64), torch.tensor(x2, dtype=torch.float64))
            return float(g1), float(g2)
        if m is NUMPY:
            g1, g2 = on_tensors(torch.from_numpy(np.ascontiguousarray(x1)), torch.from_numpy(np.ascontiguousarray(x2)))
            return g1.numpy(), g2.numpy()
        return on_tensors(x1, x2)

    return gradient
