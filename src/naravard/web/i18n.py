"""Swedish and English UI texts from gettext catalogues (``web/i18n/<lang>.po``).

Message ids are English; Swedish is the default language. Each capability keeps its own catalogue
(``sv.po`` for the foundation, ``funding.sv.po``, ``surveys.sv.po`` ...); all catalogues of a
language are merged. They are read with Babel at start so no compile step is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files

from babel.messages.pofile import read_po

LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation for ``lang`` (empty for English, whose ids are the texts)."""
    if lang == "en":
        return {}
    table: dict[str, str] = {}
    for path in sorted(files("naravard.web").joinpath("i18n").iterdir(), key=lambda p: p.name):
        if path.name == f"{lang}.po" or path.name.endswith(f".{lang}.po"):
            with path.open("rb") as fh:
                cat = read_po(fh, locale=lang)
            table.update(
                {str(m.id): str(m.string) for m in cat if m.id and m.string and not m.fuzzy}
            )
    return table


def gettext_for(lang: str) -> Callable[..., str]:
    """A ``_`` function for ``lang``; keyword arguments fill ``%(name)s`` placeholders."""
    table = catalogue(lang if lang in LANGUAGES else "sv")

    def _(message: str, **params: object) -> str:
        text = table.get(message, message)
        return text % params if params else text

    return _


def pick_language(cookie: str | None, accept: str | None, default: str) -> str:
    """The cookie's language, else the first supported one in Accept-Language, else default."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default
