"""HTML pages: Jinja2 shells; everything else is drawn by the ES modules in static/.

Adding a view is one line in ``VIEWS`` plus its template (extending ``base.html``): the route
and the nav entry follow. A view whose template does not exist yet shows in the nav, greyed out,
and has no route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api.deps import StoreDep
from app.history.store import StoreUnavailable

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
router = APIRouter(include_in_schema=False)


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
    View("/", "2D lab", "index.html", "2D lab: optimizers side by side"),
    View("/training", "Training", "training.html", "Training: linear regression on airfoil"),
    View("/sweep", "Sweep", "sweep.html", "Sweep: where in (η, γ) does each optimizer work?"),
    View("/history", "History", "history.html", "Run history"),
    View("/book", "Book", "book.html", "The book, live: chapter 7's printed results re-run"),
)


def _nav(current: View) -> list[dict[str, object]]:
    return [{"path": v.path, "label": v.label, "current": v == current, "available": v.available} for v in VIEWS]


def _page(view: View) -> Callable[[Request], HTMLResponse]:
    def render(request: Request) -> HTMLResponse:
        context = {"version": __version__, "nav": _nav(view), "title": view.title}
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
def run_page(run_id: str, request: Request, store: StoreDep) -> HTMLResponse:
    """A stored run's permanent page: the History view opened on it (a sweep: the Sweep view); an
    unknown id is a 404 page."""
    nav = _nav(HISTORY)
    try:
        record = store.get(run_id) if len(run_id) <= 64 else None
    except StoreUnavailable as exc:
        context = {"version": __version__, "nav": nav, "title": "History unavailable", "run_id": run_id, "problem": exc}
        return templates.TemplateResponse(request, "run_404.html", context, status_code=503)
    if record is None:
        context = {"version": __version__, "nav": nav, "title": "Run not found", "run_id": run_id}
        return templates.TemplateResponse(request, "run_404.html", context, status_code=404)
    view = SWEEP if record.kind == "sweep" else HISTORY
    context = {"version": __version__, "nav": _nav(view), "title": record.title, "run_id": record.id}
    return templates.TemplateResponse(request, view.template, context)
