"""Nothing typed is lost when a session runs out: a form posted after the sign-in expired is
carried through the sign-in page and posted again, by the same browser, once signed in.

The carried fields travel only between the user's browser and the server inside forms (never
stored). A form is carried only when its CSRF token was valid (the guard checks CSRF before
sign-in), so a forged cross-site post can never be replayed after sign-in.
"""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import Response

from naravard.web.rendering import render
from naravard.web.security import CSRF_FIELD

#: Paths whose forms are never carried (they need no sign-in or must not be replayed).
NOT_CARRIED = frozenset({"/login", "/logout", "/language"})
MAX_CARRY_BYTES = 2_000_000


def safe_action(path: str | None) -> str | None:
    """A same-site path a carried form may be posted to, or ``None``."""
    if (path and path.startswith("/") and not path.startswith("//") and "\\" not in path
            and path not in NOT_CARRIED):
        return path
    return None


async def sign_in_keeping_form(request: Request) -> Response:
    """The sign-in page, holding the fields of the form that could not be saved."""
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if k != CSRF_FIELD and isinstance(v, str)]
    carry = json.dumps(fields, ensure_ascii=False)
    action = safe_action(request.url.path)
    if action is None or len(carry.encode()) > MAX_CARRY_BYTES:
        carry, action = "", None
    return render(request, "login.html", status_code=401, next=action or "/", error="expired",
                  username="", carry=carry if action else "", carry_action=action or "")


def decode(carry: str) -> list[tuple[str, str]]:
    """The carried fields, or nothing when the value is not what :func:`sign_in_keeping_form`
    wrote."""
    try:
        data = json.loads(carry) if carry else []
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [(str(p[0]), str(p[1])) for p in data
            if isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)]


def resume(request: Request, action: str, fields: list[tuple[str, str]]) -> Response:
    """A page that posts the carried form again (by script, or by the user's click)."""
    return render(request, "resume.html", action=action, fields=fields)
