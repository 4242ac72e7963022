"""English and Simplified Chinese: which one a request gets, and the gettext catalogues.

Strings are marked where they are written: ``{% trans %}`` and ``_()`` in the templates, ``t()`` and
``tn()`` in the ES modules, ``Text(...)`` for a message a service raises and ``N_()`` for a data
string (a label, a description) that a router answers. ``make i18n`` extracts them all into
``locale/messages.pot``, merges that into ``locale/zh/LC_MESSAGES/messages.po`` and compiles the
``.mo``; a missing or stale ``.mo`` is compiled in memory at start, so a fresh clone works as is.
English is the source language: it has no catalogue, a message id is its own English text.
"""

from __future__ import annotations

import gettext as gettext_module
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.i18n.text import N_, Gettext, Text, message_of, render

__all__ = [
    "LANGUAGES",
    "N_",
    "Gettext",
    "Text",
    "choose",
    "gettext_for",
    "html_lang",
    "message_of",
    "negotiate",
    "page_messages",
    "translate",
]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
# Each language's own name, as the switch in the header shows it.
LANGUAGES = {"en": "English", "zh": "中文"}
_HTML_LANG = {"en": "en", "zh": "zh-CN"}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def html_lang(lang: str) -> str:
    """The ``<html lang>`` of a language: ``zh`` is Simplified Chinese as written in mainland China."""
    return _HTML_LANG[lang]


def negotiate(accept_language: str | None) -> str:
    """The first language of an ``Accept-Language`` header (by q, then order) that we have, else English."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, order, tag.lower()))
    for _, _, tag in sorted(ranked):
        primary = tag.split("-")[0].split("_")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def choose(asked: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a language we have, else the browser's (``Accept-Language``)."""
    return asked if asked in LANGUAGES else negotiate(accept_language)


@cache
def _translations(lang: str) -> gettext_module.NullTranslations:
    if lang == DEFAULT:
        return gettext_module.NullTranslations()
    po = po_path(lang)
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as file:
            return gettext_module.GNUTranslations(file)
    with po.open("rb") as file:  # not compiled yet (a fresh clone), or edited since: compile in memory
        catalog = read_po(file, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext_for(lang: str) -> Gettext:
    return _translations(lang if lang in LANGUAGES else DEFAULT).gettext


def ngettext_for(lang: str) -> gettext_module.NullTranslations:
    return _translations(lang if lang in LANGUAGES else DEFAULT)


@cache
def page_messages(lang: str) -> dict[str, str | list[str]]:
    """The page's catalogue (what ``static/`` asks for): msgid → translation, plural forms as a list."""
    if lang not in LANGUAGES or lang == DEFAULT:
        return {}
    with po_path(lang).open("rb") as file:
        catalog = read_po(file, locale=lang)
    messages: dict[str, str | list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy or not any(path.startswith("static/") for path, _ in message.locations):
            continue
        if isinstance(message.id, tuple | list):
            forms = [str(form) for form in message.string or ()]
            if all(forms):
                messages[str(message.id[0])] = forms
        elif message.string:
            messages[str(message.id)] = str(message.string)
    return messages


def translate(message: str | Text, lang: str) -> str:
    """``message`` in ``lang``: a ``Text`` or a marked data string (``N_``); unmarked text stays as it is."""
    gettext = gettext_for(lang)
    return render(message, gettext) if isinstance(message, Text) else gettext(message)
