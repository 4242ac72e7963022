"""The grammar of typed objectives and the checks on their text: the limits, the allowed names,
the character screen, and ``ast.parse`` with every failure turned into a refusal.

Nothing here evaluates anything; ``app.optim.expression`` turns the checked tree into closures.
"""

from __future__ import annotations

import ast
import math
import unicodedata

from app.i18n.text import N_, Text

MAX_LENGTH = 200  # characters
MAX_NODES = 100  # numbers, names, operators and calls in the tree
MAX_DEPTH = 10  # nesting of parentheses (a call's parentheses count)
MAX_EXPONENT = 10.0  # |p| for x ** p
MAX_WORK = 2_000_000  # steps × runs × nodes of one request (≈ 8 s of autograd at worst on one core)

VARIABLES = ("x1", "x2")
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh")  # each an attribute of Ops
OPERATORS = ("+", "-", "*", "/", "**")

# Screening before the parser matters: Python normalises identifiers (NFKC), so a full-width
# 'ｘ1' would otherwise parse as x1. Commas pass so that 'sin(x1, x2)' gets a precise message.
_ALLOWED_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.+-*/(), \t")
_ASCII_HINT = N_("use plain ASCII letters, digits, + - * / ** ( ) and spaces")
_CHAR_HINTS = {"^": N_("write powers as **"), "'": N_("strings are not allowed"), '"': N_("strings are not allowed")}


class ExpressionError(ValueError):
    """A refused expression; ``token`` is the offending piece of text or the name of the limit."""

    def __init__(self, message: str | Text, token: str) -> None:
        super().__init__(message)  # a Text: the API answers it in the request's language
        self.token = token


def grammar() -> dict[str, object]:
    """The grammar and its limits, for the API to publish."""
    return {
        "variables": list(VARIABLES),
        "constants": list(CONSTANTS),
        "functions": list(FUNCTIONS),
        "operators": list(OPERATORS),
        "max_length": MAX_LENGTH,
        "max_nodes": MAX_NODES,
        "max_depth": MAX_DEPTH,
        "max_exponent": MAX_EXPONENT,
        "max_work": MAX_WORK,
    }


def _describe_char(ch: str) -> str:
    if ch.isascii() and ch.isprintable():
        return repr(ch)
    return f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')})"


def screen(text: str) -> str:
    """Length, characters and nesting, checked on the raw text before any parser sees it."""
    text = text.strip()
    if not text:
        raise ExpressionError(Text("expression is empty; type f(x1, x2), e.g. 0.1*x1**2 + 2*x2**2"), "empty")
    if len(text) > MAX_LENGTH:
        message = Text("expression has {length} characters; the limit is {limit}", length=len(text), limit=MAX_LENGTH)
        raise ExpressionError(message, "length")
    for i, ch in enumerate(text):
        if ch not in _ALLOWED_CHARS:
            hint = Text(_CHAR_HINTS.get(ch, _ASCII_HINT))
            message = Text(
                "character {char} at column {column} is not allowed: {hint}",
                char=_describe_char(ch),
                column=i + 1,
                hint=hint,
            )
            raise ExpressionError(message, ch)
    depth = deepest = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        message = Text("parentheses nest {depth} deep; the limit is {limit}", depth=deepest, limit=MAX_DEPTH)
        raise ExpressionError(message, "depth")
    return text


def _token_at(text: str, i: int) -> str:
    """The word or number starting at ``i`` (or the single character there)."""
    end = i
    while end < len(text) and (text[end].isalnum() or text[end] in "_."):
        end += 1
    return text[i:end] if end > i else text[i]


def parse_tree(text: str) -> ast.expr:
    """``ast.parse`` in eval mode, every parser failure (syntax, stack, recursion) turned into a refusal."""
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        if exc.offset and 0 < exc.offset <= len(text):
            token = _token_at(text, exc.offset - 1)
            message = Text(
                "syntax error at column {column} ('{token}'): {why}", column=exc.offset, token=token, why=exc.msg
            )
            raise ExpressionError(message, token) from None
        raise ExpressionError(Text("syntax error at the end: {why}", why=exc.msg), "end") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(Text("expression is too complex to parse"), "depth") from None
