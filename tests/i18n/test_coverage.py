"""No visible English outside the catalogue: the templates and the ES modules say everything through it.

- Templates are rendered by the app with a marking gettext (every translated string wrapped in
  invisible marks) and parsed: any text or visible attribute with a letter outside the marks was
  written into the template, not into the catalogue.
- ES modules are tokenised (tests/i18n/jsscan.py): a string literal outside t()/tn() that reads as
  prose (two words or more), or a word given to a sink that shows it (text:, title:, name:, label:,
  aria-label:, .textContent =, showText(...), ...), is refused.
The allow-lists below are the few non-words (symbols, identifiers, the book's own output line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import pages
from app.config import Settings
from app.main import create_app
from tests.i18n.jsscan import Literal, literals
from tests.utils import DATA_DIR, ROOT, TEST_HOSTS

STATIC_JS = ROOT / "static" / "js"
OPEN, CLOSE = "\u2063", "\u2064"  # invisible separator / invisible plus: never in real text
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "label"}

# Template text that is not a word to translate.
TEMPLATE_ALLOWED = {
    "x₁",
    "x₂",
    "f(x₁, x₂) =",
    "A",
    "B",
    "CSV",
    "CSV A",
    "CSV B",
    "JSON",
    "X",  # the sweep's axes
    "Y",
    "n",
    "cpu",
    "cuda",
    "English",  # the language switch names each language in itself
    "中文",
}


class _VisibleText(HTMLParser):
    """Text nodes (outside script/style) and visible attributes, with the marks' nesting tracked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.depth = 0  # inside how many marked (translated) strings
        self.unmarked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and not _fully_marked(value):
                self.unmarked.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        for piece in re.split(f"([{OPEN}{CLOSE}])", data):
            if piece == OPEN:
                self.depth += 1
            elif piece == CLOSE:
                self.depth -= 1
            elif self.depth == 0 and LETTER.search(piece) and piece.strip() not in TEMPLATE_ALLOWED:
                self.unmarked.append(piece.strip())


def _fully_marked(value: str) -> bool:
    stripped = value.strip()
    inner = stripped.startswith(OPEN) and stripped.endswith(CLOSE)
    return inner or not LETTER.search(stripped) or stripped in TEMPLATE_ALLOWED


def _marking(lang: str) -> Callable[[str], str]:
    return lambda message: f"{OPEN}{message}{CLOSE}"


class _MarkingPlural:
    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"


def unmarked_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.unmarked


PAGES = [view.path for view in pages.VIEWS if view.available] + ["/runs/no-such-run"]


@pytest.fixture(scope="module")
def marked_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every page as the app renders it, each translated string between the marks."""
    settings = Settings(
        data_dir=DATA_DIR,
        db_path=tmp_path_factory.mktemp("marked") / "runs.sqlite3",
        warm_up=False,
        allowed_hosts=TEST_HOSTS,
    )
    patch = pytest.MonkeyPatch()
    patch.setattr(pages, "gettext_for", _marking)
    patch.setattr(pages, "ngettext_for", lambda lang: _MarkingPlural())
    try:
        with TestClient(create_app(settings)) as client:
            marked = {path: client.get(path).text for path in PAGES}
            # the run page when the history cannot be read (a 503 a test cannot easily provoke here)
            nav = [{"path": "/", "label": "2D lab", "current": False, "available": True}]
            context = {"lang": "en", "html_lang": "en", "languages": [], "nav": nav, "title": "", "version": "v"}
            unavailable = pages.templates.env.get_template("run_404.html")
            marked["/runs/x (history unavailable)"] = unavailable.render(**context, run_id="x", problem="disk full")
            yield marked
    finally:
        patch.undo()


def test_every_view_is_checked(marked_pages: dict[str, str]) -> None:
    templates = {path.name for path in (ROOT / "templates").glob("*.html")} - {"base.html", "fields.html"}
    rendered = {view.template for view in pages.VIEWS if view.available} | {"run_404.html"}
    assert templates <= rendered, f"a template no page renders here: {sorted(templates - rendered)}"
    assert all(OPEN in html for html in marked_pages.values())
    assert unmarked_text(marked_pages["/runs/x (history unavailable)"]) == []


@pytest.mark.parametrize("path", PAGES)
def test_templates_say_everything_through_the_catalogue(marked_pages: dict[str, str], path: str) -> None:
    assert unmarked_text(marked_pages[path]) == [], f"{path}: visible text outside {{% trans %}} / _()"


def test_the_template_check_sees_a_hard_coded_word() -> None:
    marked = f"<p>{OPEN}Loss{CLOSE}</p>"
    assert unmarked_text(marked) == []
    assert unmarked_text(f"<p>{OPEN}Loss{CLOSE} per epoch</p>") == ["per epoch"]
    assert unmarked_text('<button title="Run it">▶</button>') == ["<button title='Run it'>"]
    assert unmarked_text(f"<p>{OPEN}start <span>(or click)</span>{CLOSE}</p>") == []
    assert unmarked_text("<script>const word = 'x';</script><p>x₁</p>") == []


# --- the ES modules ----------------------------------------------------------------------------

_PAIR = re.compile(r"\b[0-9]*[A-Za-z][A-Za-z0-9]*[^\S\n]+[(\"“'‘]*[0-9]*[A-Za-z][A-Za-z0-9]*")


def is_prose(text: str) -> bool:
    """Two words side by side ("enter a number", "2D comparison"), not two letters ("x y")."""
    return any(len(re.findall(r"[A-Za-z]", m.group())) >= 3 for m in _PAIR.finditer(text))


# A word set apart from a ${…} by a space: text composed for people ("job ${id}", "${tag} now").
COMPOSED = re.compile(r"[A-Za-z]{2,}[^\S\n]+[(“'‘]*\{\}|\{\}[)”'’:,]*[^\S\n]+[(“'‘]*[A-Za-z]{2,}")
WORD = re.compile(r"[A-Za-z]{2,}")
# Where a literal never shows: log lines, CSS classes and selectors, fonts, DOM and HTTP plumbing.
QUIET_CALLS = re.compile(
    r"^(console\.\w+|.*querySelector(All)?|.*closest|.*getElementById|\$|.*addEventListener|"
    r".*removeEventListener|.*getAttribute|.*removeAttribute|.*hasAttribute|.*classList\.\w+|"
    r"import|fetch|getJSON|postJSON|postSSE|postFile|deleteResource|.*searchParams\.\w+|params\.\w+|.*get|.*set|.*has)$"
)
QUIET_KEYS = {"class", "family", "type", "mode", "dash", "symbol", "format", "method", "accept", "hovermode", "id"}
# Keys and properties whose value the page shows.
SHOWN_KEYS = {"text", "title", "name", "label", "aria-label", "placeholder", "hovertemplate", "alt"}
SHOWN_PROPERTIES = {"textContent", "innerText", "title", "placeholder", "innerHTML"}
# Calls that show an argument: name pattern → the arguments shown (None: all of them).
SHOWN_CALLS: list[tuple[re.Pattern[str], set[int] | None]] = [
    (re.compile(r"^(showText|.*\.setStatus)$"), {1}),
    (re.compile(r"^(.*\.show|.*\.say|.*\.refuse|.*\.error|Error|title|axisTitle|.*\.retitle|plotlyText)$"), {0}),
    (re.compile(r"^ApiError$"), {1}),
    (re.compile(r"^(showChildren|.*\.append|.*\.replaceChildren|.*\.prepend)$"), None),
]
# Not words: identifiers shown as they are, and the book's own output line.
JS_ALLOWED = {
    ("name", "optimizer"),  # form field names
    ("name", "impl"),
    ("name", "downloadSvg"),  # plotly's id of a mode-bar button
    ("name", "final_value"),  # the sweep's metrics as the API names them
    ("name", "distance"),
    ("name", "steps_to_tol"),
    ("name", "minimum"),
    ("name", "final_loss"),
    ("label", "torch"),  # the implementation's own name
    ("Error", "GET /api/i18n/{} answered {}"),  # logged only (lib/i18n.js catches it)
}
JS_ALLOWED_TEXT = {
    "epoch {}, x1 {}, x2 {}",  # the book prints it so (D2L's train_2d), in either edition
}


def _shown_argument(lit: Literal) -> bool:
    return lit.call is not None and any(
        pattern.match(lit.call) and (args is None or lit.arg in args) for pattern, args in SHOWN_CALLS
    )


def _where(lit: Literal) -> str:
    return lit.key or lit.assigned or lit.call or ""


def hard_coded(source: str) -> list[Literal]:
    """The literals of a module that would reach the page as English."""
    found = []
    for lit in literals(source):
        if lit.call in {"t", "tn"} or lit.imported or lit.compared or lit.key_name:
            continue
        text = re.sub(r"%\{[^}]*\}|<[^>]*>", " ", lit.text)  # plotly's %{x} and markup are no words
        if not WORD.search(text) or text in JS_ALLOWED_TEXT or (_where(lit), lit.text) in JS_ALLOWED:
            continue
        quiet = (lit.call is not None and QUIET_CALLS.match(lit.call)) or lit.key in QUIET_KEYS
        shown = lit.key in SHOWN_KEYS or lit.assigned in SHOWN_PROPERTIES or _shown_argument(lit)
        if shown or ((is_prose(text) or COMPOSED.search(text)) and not quiet):
            found.append(lit)
    return found


def _modules() -> list[Path]:
    return sorted(STATIC_JS.rglob("*.js"))


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(STATIC_JS)))
def test_modules_say_everything_through_t(module: Path) -> None:
    found = [f"line {lit.line}: {lit.text!r} ({_where(lit)})" for lit in hard_coded(module.read_text())]
    assert found == [], f"{module.relative_to(ROOT)}: visible strings outside t()/tn():\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        'el("p", { text: "Press Run" });',
        'node.textContent = "done";',
        'layout.xaxis = { title: { text: "loss" } };',
        'showText($("x"), `step ${k} of ${n}`);',
        'banner.show(ok ? t("fine") : "Something failed");',
        'return { name: "start", x: [] };',
        "throw new Error(`the server said ${why}`);",
        "parts.push(`job ${job.id}`);",
        'const hover = `${plotlyText("step")} %{x}`;',
        'const words = ["never hard-code", "a sentence"];',
    ],
)
def test_the_module_check_sees_a_hard_coded_string(snippet: str) -> None:
    assert hard_coded(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        'el("p", { text: t("Press Run") });',
        'showText(node, t("step {k} of {n}", { k, n }));',
        'console.warn("chart update failed", err);',
        'el("div", { class: "plot plot-small" });',
        'node.querySelector(":scope > .field-error");',
        'if (run.status === "diverged") return;',
        'import { t } from "../lib/i18n.js";',
        'const words = { "Zoom in": t("Zoom in"), "a b": 1 };',
        'const re = /a b/g; const s = `${plotlyText(t("step"))} %{x}: f %{y:.6g}<extra></extra>`;',
    ],
)
def test_the_module_check_lets_marked_and_quiet_strings_be(snippet: str) -> None:
    assert hard_coded(snippet) == [], snippet
