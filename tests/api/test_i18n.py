"""The API in the request's language: a 422's human part, the catalogues' texts, the page's words.

Field names, types and ctx never change with the language; without Accept-Language (or with one
we do not have) everything is English, exactly as before.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic_core._pydantic_core import list_all_errors

from app.api.errors import PYDANTIC_MESSAGES
from app.i18n import negotiate
from tests.utils import errors

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
BAD_2D: dict[str, Any] = {
    "function": "quadratic",
    "steps": 0,
    "runs": [{"optimizer": "adagrad", "hyperparams": {"eta": -1}}, {"optimizer": "nope"}],
}


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-TW", "zh"),
        ("en-GB,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR,zh;q=0.5", "zh"),
        ("fr-FR,de", "en"),
        ("en;q=0.2,zh;q=0.7", "zh"),
        ("zh;q=0,en", "en"),
        ("*", "en"),
        ("zh;q=abc,en", "en"),
    ],
)
def test_the_language_of_an_accept_language_header(header: str | None, lang: str) -> None:
    assert negotiate(header) == lang


def test_a_422_in_chinese_keeps_its_fields_types_and_ctx(client: TestClient) -> None:
    english = client.post("/api/trajectories", json=BAD_2D).json()["detail"]
    chinese = client.post("/api/trajectories", json=BAD_2D, headers=ZH).json()["detail"]
    assert [(e["field"], e["type"], e.get("ctx")) for e in chinese] == [
        (e["field"], e["type"], e.get("ctx")) for e in english
    ]
    zh = {e["field"]: e["msg"] for e in chinese}
    assert zh["steps"] == "steps: 输入应大于或等于 1"
    assert zh["runs[0].hyperparams.eta"] == "runs[0].hyperparams.eta: eta 必须是 (0, 100] 内的有限数，实际为 -1.0"
    assert zh["runs[1].optimizer"].startswith("runs[1].optimizer: 未知的优化算法 'nope'；应为 ")
    en = {e["field"]: e["msg"] for e in english}
    assert en["steps"] == "steps: Input should be greater than or equal to 1"
    assert en["runs[0].hyperparams.eta"] == "runs[0].hyperparams.eta: eta must be a finite number in (0, 100], got -1.0"


def test_a_refusal_of_the_server_s_own_checks_in_chinese(client: TestClient) -> None:
    body = {"dataset": "synthetic", "batch_size": 5000, "epochs": 2, "runs": [{"optimizer": "sgd"}] * 2}
    zh = errors(client.post("/api/jobs", json=body, headers=ZH))
    assert zh["batch_size"] == "batch_size: 最多为 1500，即数据集 'synthetic' 的行数"
    en = errors(client.post("/api/jobs", json=body))
    assert en["batch_size"] == "batch_size: must be at most 1500, the rows of dataset 'synthetic'"


def test_pydantic_s_choices_and_nested_messages_in_chinese(client: TestClient) -> None:
    body = {"function": "quadratic", "runs": [{"optimizer": "adam", "impl": "jax", "hyperparams": {"lr": 1, "eta": 1}}]}
    zh = errors(client.post("/api/trajectories", json=body, headers={"Accept-Language": "zh"}))
    assert zh["runs[0].impl"] == "runs[0].impl: 输入应为 'book' 或 'torch'"
    assert (
        zh["runs[0].hyperparams.eta"]
        == "runs[0].hyperparams.eta: 请给出 'eta' 或 'lr'，不要同时给出：'lr' 是 'eta' 的别名"
    )


@pytest.mark.parametrize(
    ("expression", "chinese"),
    [
        ("x1^2", "第 3 列的字符 '^' 不允许：幂请写作 **"),
        ("x1.real", "不允许属性访问：'x1.real'"),
        ("x1 @ 2", "第 4 列的字符 '@' 不允许：请只用 ASCII 字母、数字、+ - * / ** ( ) 和空格"),
        ("sin(x1, x2)", "sin(...) 只接受一个参数，实际为 2 个"),
        ("", "表达式为空；请输入 f(x1, x2)，例如 0.1*x1**2 + 2*x2**2"),
    ],
)
def test_a_typed_function_s_refusal_in_chinese(client: TestClient, expression: str, chinese: str) -> None:
    body = {"function": "custom", "expression": expression, "runs": [{"optimizer": "gd"}]}
    assert errors(client.post("/api/trajectories", json=body, headers=ZH)) == {"expression": f"expression: {chinese}"}
    english = client.post("/api/trajectories", json=body).json()["detail"][0]
    assert english["ctx"]["message"] == english["msg"].removeprefix("expression: ")  # ctx keeps the English


def test_an_unknown_language_is_english(client: TestClient) -> None:
    english = client.post("/api/trajectories", json=BAD_2D).json()
    assert client.post("/api/trajectories", json=BAD_2D, headers={"Accept-Language": "fr"}).json() == english


def test_the_catalogues_answer_in_the_request_s_language(client: TestClient) -> None:
    labels = {o["name"]: o["label"] for o in client.get("/api/optimizers", headers=ZH).json()}
    assert labels == {
        "gd": "梯度下降",
        "sgd": "随机梯度下降",
        "momentum": "动量法",
        "adagrad": "AdaGrad算法",
        "rmsprop": "RMSProp算法",
        "adadelta": "Adadelta",
        "adam": "Adam算法",
    }
    eta = client.get("/api/optimizers", headers=ZH).json()[0]["hyperparams"][0]
    assert eta["name"] == "eta" and eta["description"] == "学习率"
    functions = {f["name"]: f for f in client.get("/api/functions", headers=ZH).json()}
    assert functions["custom"]["label"] == "自定义 f(x1, x2)" and functions["quadratic"]["latex"]
    datasets = {d["id"]: d for d in client.get("/api/datasets", headers=ZH).json()}
    assert datasets["synthetic"]["label"] == "合成数据（固定种子的线性回归）"
    assert client.get("/api/optimizers").json()[0]["label"] == "Gradient descent"


def test_the_page_catalogue(client: TestClient) -> None:
    zh = client.get("/api/i18n/zh").json()
    assert zh["lang"] == "zh" and zh["messages"]["loss vs epoch"] == "损失随迭代周期的变化"
    assert client.get("/api/i18n/en").json() == {"lang": "en", "messages": {}}
    assert client.get("/api/i18n/fr").status_code == 422


@pytest.mark.parametrize("path", ["/", "/training", "/history", "/runs/no-such-run"])
def test_pages_in_either_language(client: TestClient, path: str) -> None:
    zh = client.get(path, params={"lang": "zh"})
    assert '<html lang="zh-CN" data-lang="zh">' in zh.text and "优化算法实验室" in zh.text
    assert '<a class="nav-link" href="/training?lang=zh"' in zh.text or path == "/training"
    by_browser = client.get(path, headers=ZH)
    assert '<html lang="zh-CN"' in by_browser.text
    assert 'href="/training"' in by_browser.text or path == "/training"  # a browser default is not sticky
    en = client.get(path, params={"lang": "en"}, headers=ZH)
    assert '<html lang="en" data-lang="en">' in en.text and "Optimizer Lab" in en.text
    assert 'data-lang="zh"' in en.text and 'hreflang="zh"' in en.text  # the switch


def test_pydantic_s_messages_as_pydantic_words_them() -> None:
    """The English we translate from is pydantic's own (a pydantic upgrade that rewords one fails here)."""
    templates: dict[str, str] = {str(e["type"]): e["message_template_python"] for e in list_all_errors()}
    assert {kind: templates.get(kind) for kind in PYDANTIC_MESSAGES} == PYDANTIC_MESSAGES
