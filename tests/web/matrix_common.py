"""Caller groups for the authorisation matrix (shared by every capability's part of it)."""

from __future__ import annotations

#: Who calls: anonymous, each role, and respondents of Region Halland (own), Region Dalarna
#: (foreign), RSS Halland and Kungsbacka municipality.
CALLERS: list[str | None] = [None, "admin", "analyst", "grant_officer", "respondent", "foreign",
                             "rss", "municipality"]
SIGNED = frozenset(c for c in CALLERS if c)
EVERYONE = frozenset(CALLERS)
STAFF = frozenset({"admin", "analyst", "grant_officer"})
HALLAND = STAFF | {"respondent"}  # scoped routes are called for Region Halland's objects
RSS_HALLAND = STAFF | {"rss"}  # ... or RSS Halland's
ADMIN = frozenset({"admin"})
