"""Messages that are translated where they are shown, not where they are made.

A service knows nothing of languages: it raises ``Text(template, **params)``, whose ``str()`` is the
English sentence (logs, exceptions, the API's English answer), and the router that answers renders
it in the request's language. Templates are gettext message ids: ``make i18n`` extracts every
``Text("...")`` and ``N_("...")`` of ``app/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a data string (a label, a description) for extraction; the answer's router translates it."""
    return message


class Text:
    """A sentence with named holes: ``Text("must be at most {rows}", rows=1503)``.

    Parameters are shown as given (a nested ``Text`` is translated too); a template's English and
    its translations name the same holes.
    """

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params: Mapping[str, object] = params

    def render(self, gettext: Gettext) -> str:
        if not self.params:  # a data string (a label): shown as it is, braces and all
            return gettext(self.template)
        values = {k: v.render(gettext) if isinstance(v, Text) else v for k, v in self.params.items()}
        try:
            return gettext(self.template).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation naming a hole the English lacks
            return self.template.format(**values)

    def __str__(self) -> str:
        return self.render(lambda message: message)

    def __repr__(self) -> str:
        return f"Text({self.template!r}, **{dict(self.params)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.template, dict(self.params)) == (other.template, dict(other.params))

    def __hash__(self) -> int:
        return hash(self.template)


class Joined(Text):
    """Items shown one after the other with a separator (" vs ", ", "), each in the language."""

    __slots__ = ("items", "separator")

    def __init__(self, separator: str | Text, items: Sequence[str | Text]) -> None:
        super().__init__("")
        self.separator = separator
        self.items = list(items)

    def render(self, gettext: Gettext) -> str:
        return render(self.separator, gettext).join(render(item, gettext) for item in self.items)

    def __repr__(self) -> str:
        return f"Joined({self.separator!r}, {self.items!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Joined) and (self.separator, self.items) == (other.separator, other.items)

    def __hash__(self) -> int:
        return hash(tuple(str(item) for item in self.items))


def message_of(exc: BaseException) -> str | Text:
    """What an exception says: its ``Text`` when it was raised with one, else its English."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Text) else str(exc)


def render(message: str | Text, gettext: Gettext) -> str:
    """A plain string stays as it is (it was never marked); a ``Text`` is translated."""
    return message.render(gettext) if isinstance(message, Text) else message
