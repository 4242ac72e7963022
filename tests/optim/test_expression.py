"""Custom objectives typed as text: the grammar, its limits, hostile input, gradients, and the API."""

from __future__ import annotations

import builtins
import json
import math
from collections.abc import Callable

import pytest
import torch
from fastapi.testclient import TestClient

from app.optim import expression as ex
from app.optim import grammar
from app.optim.expression import compile_expression, custom_objective
from app.optim.functions import contour_grid, get_objective
from app.optim.grammar import ExpressionError, parse_tree
from app.optim.registry import get_optimizer
from app.trajectory.comparison import RunConfig, run_all

F64 = torch.float64


def f_at(text: str, x1: float, x2: float) -> float:
    fn = compile_expression(text).fn
    return float(fn(torch.tensor(x1, dtype=F64), torch.tensor(x2, dtype=F64)))


def close(a: list[float], b: list[float]) -> bool:
    return torch.allclose(torch.tensor(a, dtype=F64), torch.tensor(b, dtype=F64), rtol=1e-10, atol=1e-12)


def refusal(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        custom_objective(text, start=(0.5, 0.25))
    return info.value


# --- what is allowed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)", lambda a, b: 0.1 * a**2 + 2 * b**2 + 0.3 * math.sin(3 * a)),
        (
            "sin(x1) + cos(x2) + tan(x1) + exp(x2) + log(x1) + sqrt(x1) + abs(-x2) + tanh(x1)",
            lambda a, b: (
                math.sin(a)
                + math.cos(b)
                + math.tan(a)
                + math.exp(b)
                + math.log(a)
                + math.sqrt(a)
                + abs(b)
                + math.tanh(a)
            ),
        ),
        ("pi*x1 - e/x2", lambda a, b: math.pi * a - math.e / b),
        ("-x1**2 + +x2", lambda a, b: -(a**2) + b),  # Python precedence: ** binds tighter than unary minus
        ("x1**-2 + x2**(1/2) + 2**3", lambda a, b: a**-2 + b**0.5 + 8),
        (
            "(1.5 - x1 + x1*x2)**2 + (2.25 - x1 + x1*x2**2)**2 + (2.625 - x1 + x1*x2**3)**2",
            lambda a, b: (1.5 - a + a * b) ** 2 + (2.25 - a + a * b**2) ** 2 + (2.625 - a + a * b**3) ** 2,
        ),
        ("1e-3*x1 + 2.5E2*x2", lambda a, b: 1e-3 * a + 250 * b),
    ],
)
@pytest.mark.parametrize("point", [(0.7, 1.3), (2.1, 0.4)])
def test_values_match_python_math(
    text: str, reference: Callable[[float, float], float], point: tuple[float, float]
) -> None:
    assert f_at(text, *point) == pytest.approx(reference(*point), rel=1e-12)


def test_value_works_on_grids_and_a_constant_fills_the_grid() -> None:
    objective = custom_objective("x1*x2 + 1")
    grid = contour_grid(objective, (-1.0, 1.0, -2.0, 2.0), n=5)
    assert len(grid["z"]) == 5 and all(len(row) == 5 for row in grid["z"])
    # rows along x2, columns along x1
    assert grid["z"][0][0] == pytest.approx((-1.0) * (-2.0) + 1)
    assert grid["z"][4][0] == pytest.approx((-1.0) * 2.0 + 1)
    constant = contour_grid(custom_objective("3"), (-1.0, 1.0, -1.0, 1.0), n=4)
    assert constant["z"] == [[3.0] * 4] * 4
    assert custom_objective("3").gradient(torch.tensor([1.0, 2.0], dtype=F64)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    "text",
    [
        "0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)",
        "(1 - x1)**2 + 100*(x2 - x1**2)**2",
        "exp(-x1**2 - x2**2) * cos(x1*x2) + log(1 + x1**2) + sqrt(2 + x2**2)",
        "tanh(x1/3)*x2**3 - abs(x1 - 5)/x2 + tan(x2/4)",
        "x2",  # f does not depend on x1: its partial is 0, not an error
    ],
)
@pytest.mark.parametrize("point", [(0.3, 0.9), (-1.7, 1.4), (2.2, -0.6)])
def test_autograd_gradient_matches_central_differences(text: str, point: tuple[float, float]) -> None:
    objective = custom_objective(text, start=point)
    x = torch.tensor(point, dtype=F64)
    h = 1e-6
    numeric = [(objective.at(x + h * unit) - objective.at(x - h * unit)) / (2 * h) for unit in torch.eye(2, dtype=F64)]
    with torch.no_grad():  # the runner asks for gradients under no_grad
        analytic = objective.gradient(x)
    assert analytic.dtype == F64
    assert analytic.tolist() == pytest.approx([float(g) for g in numeric], rel=1e-6, abs=1e-6)


def test_the_books_quadratic_typed_as_text_reproduces_the_builtin_rmsprop_path() -> None:
    builtin = get_objective("quadratic")
    typed = custom_objective("0.1*x1**2 + 2*x2**2", start=builtin.start)
    spec = get_optimizer("rmsprop")
    configs = [RunConfig("rmsprop", impl, spec.resolve({"eta": 0.4, "gamma": 0.9}, impl)) for impl in ("book", "torch")]
    for ours, theirs in zip(
        run_all(typed, builtin.start, 50, configs),
        run_all(builtin, builtin.start, 50, configs),
        strict=True,
    ):
        assert ours.status == theirs.status == "ok"
        assert len(ours.points) == 51
        for series in ("points", "values", "lr_eff"):
            assert close(getattr(ours, series), getattr(theirs, series)), series
    assert typed.start == builtin.start and ours.points[-1].tolist() != ours.points[0].tolist()


def test_no_eval_or_exec_is_involved(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    objective = custom_objective("0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)")
    assert math.isfinite(float(objective.at(torch.tensor([1.0, 2.0], dtype=F64))))
    with pytest.raises(ExpressionError):
        custom_objective("__import__(os)")


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("__import__('os')", "'"),
        ("__import__(os)", "__import__"),
        ("__import__(os).system(ls)", "__import__(os).system"),
        ("x1.real", "x1.real"),
        ("(1).__class__", "(1).__class__"),
        ("lambda: x1", ":"),
        ("[x1 for x1 in x2]", "["),
        ("(x1 for x1 in x2)", "(x1 for x1 in x2)"),
        ("sum(x1 for x1 in x2)", "sum"),
        ("9**9**9", "9**9"),
        ("x1**11", "11"),
        ("x1**-10.5", "-10.5"),
        ("x1**x2", "x2"),
        ("2**x1", "x1"),
        ("ｘ1 + x2", "ｘ"),  # full-width x: Python's parser would quietly read it as x1
        ("х1 + x2", "х"),  # Cyrillic ha
        ("x₁", "₁"),
        ("x1\u202e + x2", "\u202e"),  # right-to-left override
        ("x1\x00", "\x00"),
        ("x1\n+ x2", "\n"),
        ("", "empty"),
        ("   ", "empty"),
        ("x3", "x3"),
        ("X1", "X1"),
        ("sin", "sin"),
        ("sin + 1", "sin"),
        ("x1(2)", "x1"),
        ("open(x1)", "open"),
        ("eval(x1)", "eval"),
        ("getattr(x1)", "getattr"),
        ("sin(x=x1)", "="),
        ("sin(x1, x2)", "sin"),
        ("sin()", "sin"),
        ("'a'", "'"),
        ('"x1"', '"'),
        ("True", "True"),
        ("False + x1", "False"),
        ("None", "None"),
        ("...", "..."),
        ("1j * x1", "1j"),
        ("x1[0]", "["),
        ("x1 if x2 else 1", "x1 if x2 else 1"),
        ("x1 and x2", "x1 and x2"),
        ("not x1", "not"),
        ("x1 // 2", "//"),
        ("x1 % 2", "%"),
        ("x1 < 2", "<"),
        ("x1^2", "^"),
        ("1e999 * x1", "1e999"),
        ("x1 +", "end"),
        ("(x1", "("),
        ("x1)", ")"),
        ("x1 x2", "x2"),
        ("x1 + * x2", "*"),
        ("x" * 201, "length"),
        ("x1" + "+x1" * 60, "nodes"),
        ("-" * 150 + "x1", "nodes"),
        ("(" * 11 + "x1" + ")" * 11, "depth"),
        ("sin(" * 11 + "x1" + ")" * 11, "depth"),
        ("1/(x1 - 0.5) + x2", "start"),  # the start is (0.5, 0.25)
        ("log(x1 - 1)", "start"),
        ("sqrt(x1**2 + x2**2 - 0.3125)", "start"),  # f = 0 at the start, ∇f infinite there
        ("exp(exp(exp(x1 + 10)))", "start"),
    ],
)
def test_hostile_or_invalid_input_is_refused_naming_the_token(text: str, token: str) -> None:
    error = refusal(text)
    assert error.token == token, str(error)
    if token not in {"empty", "end", "length", "nodes", "depth", "start"}:
        shown = token if token.isprintable() else f"U+{ord(token):04X}"
        assert shown in str(error)
    else:
        assert str(error)


def test_syntax_errors_name_the_column() -> None:
    assert "column 6" in str(refusal("x1 + * x2"))


def test_a_huge_nested_input_is_refused_by_length_before_any_parser() -> None:
    error = refusal("(" * 10_000 + "x1" + ")" * 10_000)
    assert error.token == "length" and "20002" in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "x1" + ")" * 10_000,  # tokenizer: too many nested parentheses
        "-" * 100_000 + "x1",  # parser stack: MemoryError
        "1" + "+1" * 100_000,  # AST construction: RecursionError
    ],
)
def test_the_parser_stage_itself_survives_pathological_nesting(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_tree(text)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("lambda x: x", "lambda x: x"),
        ("'a'", "'a'"),
        ("x1[0]", "x1[0]"),
        ("[x1 for x1 in x2]", "[x1 for x1 in x2]"),
        ("{x1: x2}", "{x1: x2}"),
        ("sin(x=x1)", "sin"),
        ("sin(*x1)", "*x1"),
        ("x1 < 2", "x1 < 2"),
        ("x1 @ x2", "@"),
        ("~x1", "~"),
        ("(x1 := 2)", "x1 := 2"),
        ("f'{x1}'", "f'{x1}'"),
        ("1 if True else 2", "1 if True else 2"),
    ],
)
def test_the_tree_whitelist_refuses_even_what_the_character_screen_would_catch(text: str, token: str) -> None:
    """Defence in depth: the node whitelist alone (no character screen) refuses these."""
    builder = ex._Builder(text)
    with pytest.raises(ExpressionError) as info:
        builder.build(parse_tree(text))
    assert info.value.token == token


def test_the_node_budget_bounds_recursion_on_a_deep_tree() -> None:
    text = "-" * 900 + "x1"  # parses (900 levels), far past the node budget
    with pytest.raises(ExpressionError) as info:
        ex._Builder(text).build(parse_tree(text))
    assert info.value.token == "nodes"


def test_the_limits_are_what_the_grammar_publishes() -> None:
    g = grammar.grammar()
    assert g["max_length"] == grammar.MAX_LENGTH == 200
    ok = "-x1" + "+x1" * ((grammar.MAX_NODES - 2) // 2)  # exactly MAX_NODES nodes
    assert compile_expression(ok).nodes == grammar.MAX_NODES
    assert refusal(ok + "+x1").token == "nodes"
    deep = "(" * grammar.MAX_DEPTH + "x1" + ")" * grammar.MAX_DEPTH
    assert f_at(deep, 2.0, 0.0) == 2.0
    assert f_at("x1**10 + x1**-10", 2.0, 0.0) == 2.0**10 + 2.0**-10
    assert len("x" * 200) == 200 and refusal("x" * 200).token == "x" * 200  # within length: unknown name


def test_work_is_bounded() -> None:
    expression = compile_expression("x1 + x2")  # 3 nodes
    ex.check_work(expression, steps=10_000, runs=8)
    big = compile_expression("x1*x2" + "+x1*x2" * 20)
    with pytest.raises(ExpressionError) as info:
        ex.check_work(big, steps=10_000, runs=8)
    assert info.value.token == "work"


# --- through the API ---------------------------------------------------------------------------

RUNS = [{"optimizer": "rmsprop", "hyperparams": {"eta": 0.4}}, {"optimizer": "gd", "hyperparams": {"eta": 0.1}}]


def test_api_runs_a_custom_function_and_matches_the_builtin(client: TestClient) -> None:
    start = [-5.0, -2.0]
    typed = client.post(
        "/api/trajectories",
        json={
            "function": "custom",
            "expression": "0.1*x1**2 + 2*x2**2",
            "start": start,
            "steps": 30,
            "runs": RUNS,
        },
    )
    assert typed.status_code == 200, typed.text
    body = typed.json()
    assert body["function"] == "custom" and body["expression"] == "0.1*x1**2 + 2*x2**2"
    builtin = client.post("/api/trajectories", json={"start": start, "steps": 30, "runs": RUNS})  # quadratic
    for ours, theirs in zip(body["runs"], builtin.json()["runs"], strict=True):
        assert close(ours["points"], theirs["points"])
        assert ours["values"] == pytest.approx(theirs["values"], rel=1e-10)


def test_api_custom_defaults_and_stream(client: TestClient) -> None:
    response = client.post(
        "/api/trajectories/stream",
        json={
            "function": "custom",
            "expression": "x1**2 + 0.5*x2**2 + 0.3*sin(3*x1)",
            "steps": 60,
            "runs": RUNS,
        },
    )
    assert response.status_code == 200, response.text
    events = [line[len("event: ") :] for line in response.text.splitlines() if line.startswith("event: ")]
    assert events[0] == "meta" and events[-1] == "done" and "step" in events
    meta = json.loads(next(line for line in response.text.splitlines() if line.startswith("data: "))[6:])
    assert meta["start"] == list(ex.CUSTOM_START) and meta["box"] == list(ex.CUSTOM_BOX)
    assert meta["expression"] == "x1**2 + 0.5*x2**2 + 0.3*sin(3*x1)"
    z = meta["contour"]["z"]
    assert len(z) == len(meta["contour"]["x2"]) and len(z[0]) == len(meta["contour"]["x1"])
    x1, x2 = meta["contour"]["x1"][7], meta["contour"]["x2"][3]
    assert z[3][7] == pytest.approx(x1**2 + 0.5 * x2**2 + 0.3 * math.sin(3 * x1))


@pytest.mark.parametrize(
    ("patch", "token"),
    [
        ({"expression": "__import__(os)"}, "__import__"),
        ({"expression": "x1 + x3"}, "x3"),
        ({"expression": "9**9**9"}, "9**9"),
        ({"expression": "log(x1)", "start": [-1.0, 0.0]}, "start"),
        ({"expression": "x1*x2" + "+x1*x2" * 20, "steps": 10_000, "runs": RUNS * 4}, "work"),
        ({"expression": None}, "missing"),
        ({"function": "quadratic"}, "function"),
    ],
)
def test_api_refusals_are_422_naming_expression_and_the_token(
    client: TestClient,
    patch: dict[str, object],
    token: str,
) -> None:
    payload = {"function": "custom", "expression": "x1**2", "steps": 10, "runs": RUNS, **patch}
    payload = {k: v for k, v in payload.items() if v is not None}
    for path in ("/api/trajectories", "/api/trajectories/stream"):
        response = client.post(path, json=payload)
        assert response.status_code == 422, response.text
        (error,) = response.json()["detail"]
        assert error["field"] == "expression" and error["msg"].startswith("expression: ")
        assert error["ctx"]["token"] == token


def test_api_refuses_an_overlong_expression_by_its_length(client: TestClient) -> None:
    response = client.post("/api/trajectories", json={"function": "custom", "expression": "x1+" * 100, "runs": RUNS})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["field"] == "expression" and error["ctx"]["max_length"] == 200


def test_functions_catalogue_offers_custom_with_its_grammar(client: TestClient) -> None:
    functions = {f["name"]: f for f in client.get("/api/functions").json()}
    custom = functions["custom"]
    assert custom["grammar"]["functions"] == ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh"]
    assert custom["grammar"]["variables"] == ["x1", "x2"] and custom["grammar"]["max_length"] == 200
    assert custom["start"] == list(ex.CUSTOM_START) and custom["box"] == list(ex.CUSTOM_BOX)
    assert all(f["grammar"] is None for name, f in functions.items() if name != "custom")
    description = client.get("/openapi.json").json()["components"]["schemas"]["TrajectoryRequest"]
    assert "sqrt" in description["properties"]["expression"]["description"]
