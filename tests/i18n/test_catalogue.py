"""The Chinese catalogue is complete and in step with the code, and speaks the book's language.

The strings are extracted here exactly as ``make i18n`` extracts them (app/i18n/babel.cfg), so a
string marked in a template, a module or app/ but missing from the .po, left untranslated or fuzzy,
or translated with other holes than its English, fails a test.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, LOCALE_DIR, gettext_for, page_messages, po_path
from tests.utils import ROOT

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
BRACE_HOLE = re.compile(r"\{(\w*)\}")
PERCENT_HOLE = re.compile(r"%\((\w+)\)s")


@cache
def extracted() -> dict[str, set[str]]:
    """msgid → the files it comes from, as `make i18n` would extract them now."""
    config = LOCALE_DIR.parent / "babel.cfg"
    with config.open() as file:
        method_map, options_map = parse_mapping_cfg(file, str(config))  # type: ignore[no-untyped-call]
    found: dict[str, set[str]] = {}
    for filename, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, set()).add(filename)
    return found


@cache
def catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as file:
        return read_po(file, locale=lang)


def entries(lang: str) -> dict[str, Message]:
    return {str(m.id[0] if isinstance(m.id, tuple | list) else m.id): m for m in catalogue(lang) if m.id}


def _forms(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return [str(s) for s in strings]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_string_is_in_the_catalogue(lang: str) -> None:
    missing = sorted(set(extracted()) - set(entries(lang)))
    assert missing == [], f"not in {po_path(lang).relative_to(ROOT)} (run `make i18n`, then translate): {missing}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalogue_holds_nothing_the_code_no_longer_says(lang: str) -> None:
    stale = sorted(set(entries(lang)) - set(extracted()))
    assert stale == [], f"in the catalogue but marked nowhere (run `make i18n`): {stale}"


def test_the_extraction_sees_every_marker_in_app() -> None:
    """Babel's Python extractor skips a marker nested in another marked call: write those apart."""
    marker = re.compile(r"(?<!`)\b(?:N_|Text)\(\s*\"((?:[^\"\\]|\\.)*)\"\s*[,)]")
    written = {
        match.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        for path in (ROOT / "app").rglob("*.py")
        for match in marker.finditer(path.read_text())
    }
    assert sorted(written - set(extracted())) == []


def test_the_extraction_sees_every_t_in_the_modules() -> None:
    """Babel's JavaScript extractor skips a t() nested in another t()'s arguments: name it apart first."""
    call = re.compile(r"(?<![\w.$])tn?\(\s*\"((?:[^\"\\]|\\.)*)\"\s*[,)]")
    written = {
        match.group(1).replace('\\"', '"')
        for path in (ROOT / "static" / "js").rglob("*.js")
        for line in path.read_text().splitlines()
        if not line.lstrip().startswith(("//", "*", "/*"))
        for match in call.finditer(line)
    }
    assert sorted(written - set(extracted())) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_string_is_translated(lang: str) -> None:
    untranslated = [msgid for msgid, m in entries(lang).items() if m.fuzzy or not all(_forms(m))]
    assert untranslated == [], f"empty or fuzzy msgstr in {po_path(lang).relative_to(ROOT)}: {untranslated}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_holes_of_their_english(lang: str) -> None:
    wrong = []
    for msgid, message in entries(lang).items():
        ids = message.id if isinstance(message.id, tuple | list) else [message.id]
        for pattern in (BRACE_HOLE, PERCENT_HOLE):
            english = set(pattern.findall(str(ids[-1])))
            for form in _forms(message):
                holes = set(pattern.findall(form))
                # pydantic's {field_type} and {expected_plural} are English grammar, fine to drop
                if not holes <= english or english - holes - {"field_type", "expected_plural", "n"}:
                    wrong.append((msgid, form))
    assert wrong == []


def test_the_book_s_chinese_terms() -> None:
    """The Chinese edition of D2L's own words for what the app shows most."""
    zh = gettext_for("zh")
    book = {
        "Gradient descent": "梯度下降",
        "Stochastic gradient descent": "随机梯度下降",
        "Momentum": "动量法",
        "AdaGrad": "AdaGrad算法",
        "RMSProp": "RMSProp算法",
        "AdaDelta": "Adadelta",
        "Adam": "Adam算法",
        "learning rate": "学习率",
        "loss": "损失",
        "epoch": "迭代周期",
        "hyper-parameters": "超参数",
        "batch size": "批量大小",
    }
    assert {english: zh(english) for english in book} == book
    assert "小批量" in zh("examples per minibatch (1 to the data set's rows)")
    assert "目标函数" in zh("objective f(xₜ) per step")


def test_the_page_catalogue_is_the_modules_share_of_the_same_po() -> None:
    page = page_messages("zh")
    from_modules = {msgid for msgid, files in extracted().items() if any(f.startswith("static/") for f in files)}
    assert set(page) == from_modules
    assert page["loss"] == "损失" and page["{n} step"] == ["{n} 步"]
    assert page_messages("en") == {}
