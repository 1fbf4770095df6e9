"""The demo data set: reference data and one user per role, extended by each capability."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from naravard.accounts.passwords import generate_password
from naravard.accounts.roles import Role
from naravard.storage import reference_repo, users_repo
from naravard.storage.funding_demo import add_funding_demo
from naravard.storage.indicator_demo import indicator_demo
from naravard.web.surveys_demo import survey_demo


@dataclass(frozen=True)
class DemoUser:
    """A demo account."""

    username: str
    role: Role
    organisation_code: str | None
    display_name: str
    #: Where receipts and reminders go (reserved ``.example`` domains: nothing is delivered).
    email: str | None = None


#: Region Dalarna's respondent has no address, so the reminders' page shows one it cannot reach.
DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, None, "Anna Admin"),
    DemoUser("analytiker", Role.ANALYST, None, "Alva Analytiker"),
    DemoUser("handlaggare", Role.GRANT_OFFICER, None, "Hugo Handläggare"),
    DemoUser("halland", Role.RESPONDENT, "13", "Helena Ek", "helena.ek@regionhalland.example"),
    DemoUser("rss-halland", Role.RESPONDENT, "RSS13", "Rasmus Berg",
             "rasmus.berg@rsshalland.example"),
    DemoUser("dalarna", Role.RESPONDENT, "20", "Dagny Lund"),
    DemoUser("kungsbacka", Role.RESPONDENT, "1384", "Karin Sjö", "karin.sjo@kungsbacka.example"),
)

#: Further demo steps; each capability appends a function that adds its data idempotently and
#: returns a one-line summary.
DEMO_STEPS: list[Callable[[Session], str]] = [add_funding_demo, survey_demo, indicator_demo]

LOGINS_FILE = "demo-logins.txt"


def create_demo(session: Session, data_dir: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Load reference data, add missing demo users (random passwords) and run every demo step.

    Returns the newly created (username, password) pairs and the steps' summaries. The logins are
    appended to ``data_dir/demo-logins.txt`` (readable only by the owner) so that ``make run`` can
    show them again; they are demo accounts on a local database, never for production.
    """
    reference_repo.load_reference(session)
    created: list[tuple[str, str]] = []
    for user in DEMO_USERS:
        if users_repo.get_user(session, user.username) is None:
            password = generate_password()
            users_repo.create_user(session, user.username, password, user.role,
                                   user.organisation_code, user.display_name, user.email,
                                   actor="demo")
            created.append((user.username, password))
    summaries = [step(session) for step in DEMO_STEPS]
    if created:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOGINS_FILE
        with path.open("a", encoding="utf-8") as fh:
            for (name, password), user in zip(created, _users_for(created), strict=True):
                org = f" ({user.organisation_code})" if user.organisation_code else ""
                fh.write(f"{name:<12} {password}  {user.role.value}{org}\n")
        os.chmod(path, 0o600)
    return created, summaries


def _users_for(created: list[tuple[str, str]]) -> list[DemoUser]:
    by_name = {u.username: u for u in DEMO_USERS}
    return [by_name[name] for name, _ in created]
