"""A small ES-module tokenizer for one question: which string literals could reach the page as text.

Every string and template literal of a module comes out with where it stands: the call whose
argument it is (``t``, ``querySelector``, ``console.warn``), the object key it is the value of
(``text:``, ``class:``), the property it is assigned to (``.textContent =``), or the import it names.
Comments and regular-expression literals are skipped. Good enough for this code base's modules (no
JSX, no ASI tricks), and tested on its own cases in test_coverage.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

PUNCT_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^")
KEYWORDS_BEFORE_REGEX = {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw"}
NOT_CALLS = KEYWORDS_BEFORE_REGEX | {"if", "for", "while", "switch", "catch", "function", "await", "async"}
IDENT = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(frozen=True)
class Literal:
    text: str  # the literal's characters, each ${…} of a template replaced by "{}"
    line: int
    call: str | None  # the callee whose argument list holds it directly: "t", "el", "console.warn"
    arg: int  # which argument of that call (0-based)
    key: str | None  # the object key it is the value of
    assigned: str | None  # the property it is assigned to: x.textContent = "…"
    imported: bool  # import … from "…" / import("…")
    compared: bool = False  # an operand of ===, !==, ==, != (a value, not a text)
    key_name: bool = False  # an object literal's key


@dataclass
class _Frame:
    kind: str  # "(", "[", "{", "${"
    callee: str | None = None
    arg: int = 0
    key: str | None = None
    assigned: str | None = None
    template: list[str] | None = None  # the enclosing template's text so far (for "${")
    template_start: tuple[int, str | None, int, str | None, str | None] | None = None


def literals(source: str) -> list[Literal]:
    out: list[Literal] = []
    stack: list[_Frame] = [_Frame("top")]
    tokens: list[str] = []  # significant tokens so far: identifiers, punctuators, "STR:<text>", "NUM", "REGEX"
    i, line, n = 0, 1, len(source)

    def context() -> tuple[str | None, int, str | None, str | None]:
        top = stack[-1]
        callee = top.callee if top.kind == "(" else None
        arg = top.arg if top.kind == "(" else 0
        key = top.key if top.kind == "{" else None
        return callee, arg, key, top.assigned

    positions: list[int] = []  # each literal's index in tokens

    def emit(text: str, start_line: int, ctx: tuple[str | None, int, str | None, str | None]) -> None:
        imported = (bool(tokens) and tokens[-1] in {"from", "import"}) or (ctx[0] == "import")
        out.append(Literal(text, start_line, ctx[0], ctx[1], ctx[2], ctx[3], imported))
        positions.append(len(tokens))
        tokens.append(f"STR:{text}")

    def read_template(start: int, buffer: list[str], start_line: int) -> int:
        """Read template characters from `start` until the closing backtick or a `${`."""
        nonlocal line
        j = start
        while j < n:
            ch = source[j]
            if ch == "\\":
                buffer.append(source[j : j + 2])
                j += 2
                continue
            if ch == "\n":
                line += 1
            if ch == "`":
                return j + 1
            if ch == "$" and source[j + 1 : j + 2] == "{":
                return -(j + 2)  # negative: an expression opens here
            buffer.append(ch)
            j += 1
        raise ValueError(f"unterminated template literal from line {start_line}")

    def start_template(j: int, ctx: tuple[str | None, int, str | None, str | None], start_line: int) -> int:
        buffer: list[str] = []
        end = read_template(j, buffer, start_line)
        if end >= 0:
            emit("".join(buffer), start_line, ctx)
            return end
        stack.append(_Frame("${", template=buffer, template_start=(start_line, ctx[0], ctx[1], ctx[2], ctx[3])))
        return -end

    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            end = source.index("*/", i + 2)
            line += source.count("\n", i, end)
            i = end + 2
        elif ch in "'\"":
            j = i + 1
            chars: list[str] = []
            while source[j] != ch:
                if source[j] == "\\":
                    chars.append(source[j + 1])
                    j += 2
                    continue
                chars.append(source[j])
                j += 1
            emit("".join(chars), line, context())
            i = j + 1
        elif ch == "`":
            i = start_template(i + 1, context(), line)
        elif ch == "/" and (not tokens or tokens[-1] in PUNCT_BEFORE_REGEX or tokens[-1] in KEYWORDS_BEFORE_REGEX):
            j, in_class = i + 1, False
            while True:
                c = source[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[":
                    in_class = True
                elif c == "]":
                    in_class = False
                elif c == "/" and not in_class:
                    break
                j += 1
            j += 1
            while j < n and source[j].isalpha():
                j += 1
            tokens.append("REGEX")
            i = j
        elif IDENT.match(source, i):
            match = IDENT.match(source, i)
            assert match is not None
            tokens.append(match.group())
            i = match.end()
        elif ch.isdigit():
            match = re.compile(r"[\w.]+").match(source, i)
            assert match is not None
            tokens.append("NUM")
            i = match.end()
        elif ch in "([{":
            callee = None
            if ch == "(" and tokens and IDENT.fullmatch(tokens[-1]) and tokens[-1] not in NOT_CALLS:
                parts = [tokens[-1]]
                k = len(tokens) - 2
                while k >= 1 and tokens[k] in {".", "?."} and IDENT.fullmatch(tokens[k - 1]):
                    parts.insert(0, tokens[k - 1])
                    k -= 2
                callee = ".".join(parts)
            stack.append(_Frame(ch, callee=callee))
            tokens.append(ch)
            i += 1
        elif ch in ")]}":
            top = stack.pop() if len(stack) > 1 else None
            if ch == "}" and top is not None and top.kind == "${":
                assert top.template is not None and top.template_start is not None
                top.template.append("{}")
                end = read_template(i + 1, top.template, top.template_start[0])
                if end >= 0:
                    start_line, callee, arg, key, assigned = top.template_start
                    emit("".join(top.template), start_line, (callee, arg, key, assigned))
                    i = end
                else:
                    stack.append(top)
                    i = -end
                continue
            tokens.append(ch)
            i += 1
        else:
            op = re.compile(r"\?\.|=>|===|!==|==|!=|<=|>=|&&|\|\||\?\?|\.\.\.|[^\s\w]").match(source, i)
            assert op is not None
            tok = op.group()
            frame = stack[-1]
            if tok in {",", ";"}:
                frame.arg += 1
                frame.key = None
                frame.assigned = None
            if tok == ":" and frame.kind == "{" and len(tokens) >= 2 and tokens[-2] in {"{", ","}:
                previous = tokens[-1]
                frame.key = previous[4:] if previous.startswith("STR:") else previous
            if tok == "=" and tokens and IDENT.fullmatch(tokens[-1]):
                frame.assigned = tokens[-1]
            tokens.append(tok)
            i = op.end()
    comparisons = {"===", "!==", "==", "!="}

    def compared(k: int) -> bool:
        return (k > 0 and tokens[k - 1] in comparisons) or (k + 1 < len(tokens) and tokens[k + 1] in comparisons)

    def keyed(k: int) -> bool:  # { "a key": value }: a name, not a text
        return 0 < k < len(tokens) - 1 and tokens[k - 1] in {"{", ","} and tokens[k + 1] == ":"

    return [replace(lit, compared=compared(k), key_name=keyed(k)) for lit, k in zip(out, positions, strict=True)]
