"""The surveys capability's part of the authorisation matrix.

``MATRIX`` maps (method, path template) to the callers allowed (groups in ``matrix_common``);
``FORMS`` gives the form fields a POST route is called with; ``seed`` creates the objects the
routes are called on and returns the value of every path parameter (objects of Region Halland or
RSS Halland, so that ``respondent``/``rss`` own them and ``foreign`` does not).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

MATRIX: dict[tuple[str, str], frozenset[str | None]] = {}
FORMS: dict[str, dict[str, str]] = {}


def seed(session: Session) -> dict[str, str]:
    """Create what the routes need; return path parameter values."""
    return {}
