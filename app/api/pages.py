"""HTML pages: Jinja2 shells; everything else is drawn by the ES modules in static/.

Adding a view is one line in ``VIEWS`` plus its template (extending ``base.html``): the route
and the nav entry follow. A view whose template does not exist yet shows in the nav, greyed out,
and has no route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from app import __version__
from app.api.deps import LangDep, StoreDep
from app.history.store import StoreUnavailable
from app.history.titles import title_in
from app.i18n import LANGUAGES, N_, gettext_for, html_lang, ngettext_for

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
router = APIRouter(include_in_schema=False)


# The i18n extension's {% trans %} and _() look the page's language up in the template context
# (``lang``), so one environment serves every request in its own language.
@pass_context
def _gettext(context: Context, message: str) -> str:
    return gettext_for(context["lang"])(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return ngettext_for(context["lang"]).ngettext(singular, plural, n)


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(), extensions=["jinja2.ext.i18n"]
)
_env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
templates = Jinja2Templates(env=_env)


@dataclass(frozen=True)
class View:
    path: str
    label: str
    template: str
    title: str

    @property
    def available(self) -> bool:
        return (TEMPLATES_DIR / self.template).is_file()


VIEWS: tuple[View, ...] = (
    View("/", N_("2D lab"), "index.html", N_("2D lab: optimizers side by side")),
    View("/training", N_("Training"), "training.html", N_("Training: linear regression on airfoil")),
    View("/sweep", N_("Sweep"), "sweep.html", N_("Sweep: where in (η, γ) does each optimizer work?")),
    View("/history", N_("History"), "history.html", N_("Run history")),
    View("/book", N_("Book"), "book.html", N_("The book, live: chapter 7's printed results re-run")),
)


def _with_lang(path: str, lang: str | None) -> str:
    return f"{path}?{urlencode({'lang': lang})}" if lang else path


def _context(request: Request, lang: str, current: View, title: str, **more: object) -> dict[str, object]:
    """What base.html needs: the language (and the switch to the other), the nav, the title."""
    asked = request.query_params.get("lang")
    sticky = asked if asked in LANGUAGES else None  # an explicit choice follows the nav links
    others = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    switch = [
        {"lang": code, "name": name, "current": code == lang, "href": "?" + urlencode({**others, "lang": code})}
        for code, name in LANGUAGES.items()
    ]
    nav = [
        {"path": _with_lang(v.path, sticky), "label": v.label, "current": v == current, "available": v.available}
        for v in VIEWS
    ]
    return {
        "version": __version__,
        "lang": lang,
        "html_lang": html_lang(lang),
        "languages": switch,
        "nav": nav,
        "title": title,
        **more,
    }


def _page(view: View) -> Callable[[Request, str], HTMLResponse]:
    def render(request: Request, lang: LangDep) -> HTMLResponse:
        context = _context(request, lang, view, gettext_for(lang)(view.title))
        return templates.TemplateResponse(request, view.template, context)

    render.__name__ = f"page_{view.template.removesuffix('.html')}"
    return render


for _view in VIEWS:
    if _view.available:
        router.add_api_route(_view.path, _page(_view), methods=["GET"], response_class=HTMLResponse)


# --- permanent links to stored runs ------------------------------------------------

HISTORY = next(v for v in VIEWS if v.path == "/history")
SWEEP = next(v for v in VIEWS if v.path == "/sweep")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, request: Request, store: StoreDep, lang: LangDep) -> HTMLResponse:
    """A stored run's permanent page: the History view opened on it (a sweep: the Sweep view); an
    unknown id is a 404 page."""
    try:
        record = store.get(run_id) if len(run_id) <= 64 else None
    except StoreUnavailable as exc:
        title = gettext_for(lang)(N_("History unavailable"))
        context = _context(request, lang, HISTORY, title, run_id=run_id, problem=exc)
        return templates.TemplateResponse(request, "run_404.html", context, status_code=503)
    if record is None:
        title = gettext_for(lang)(N_("Run not found"))
        context = _context(request, lang, HISTORY, title, run_id=run_id)
        return templates.TemplateResponse(request, "run_404.html", context, status_code=404)
    view = SWEEP if record.kind == "sweep" else HISTORY
    title = title_in(record.kind, record.config, record.title, gettext_for(lang))
    context = _context(request, lang, view, title, run_id=record.id)
    return templates.TemplateResponse(request, view.template, context)
