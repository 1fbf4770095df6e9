"""Roles, permissions and organisation scoping: the single place that decides access.

Every web route and API endpoint declares one :class:`Permission`; :func:`is_allowed` decides. A
respondent is bound to exactly one organisation and scoped permissions only ever reach that one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user is at the follow-up."""

    ADMIN = "admin"
    ANALYST = "analyst"
    GRANT_OFFICER = "grant_officer"
    RESPONDENT = "respondent"


class Permission(StrEnum):
    """What a route lets its caller do."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any active user: start page, own account, language
    VIEW_REFERENCE = "reference:view"  # organisations and population (public facts)
    VIEW_ORG_DATA = "org:view"  # an organisation's own data (scoped)
    EDIT_ORG_DATA = "org:edit"  # answer, requisition, report for an organisation (scoped)
    VIEW_ALL_DATA = "all:view"  # every organisation's data at once (analysis)
    MANAGE_FUNDS = "funds:manage"  # agreements, allocations, payments
    MANAGE_ROUNDS = "rounds:manage"  # questionnaires and rounds
    AGGREGATE_MEMBERS = "members:aggregate"  # submitted answers of an organisation's members
    MANAGE_USERS = "users:manage"
    VIEW_AUDIT = "audit:view"


#: Unscoped grants: the role may use the permission for every organisation.
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission) - {Permission.EDIT_ORG_DATA},
    Role.ANALYST: frozenset(
        {Permission.SIGNED_IN, Permission.VIEW_REFERENCE, Permission.VIEW_ORG_DATA,
         Permission.VIEW_ALL_DATA, Permission.MANAGE_ROUNDS, Permission.AGGREGATE_MEMBERS}
    ),
    Role.GRANT_OFFICER: frozenset(
        {Permission.SIGNED_IN, Permission.VIEW_REFERENCE, Permission.VIEW_ORG_DATA,
         Permission.VIEW_ALL_DATA, Permission.MANAGE_FUNDS, Permission.AGGREGATE_MEMBERS}
    ),
    Role.RESPONDENT: frozenset({Permission.SIGNED_IN, Permission.VIEW_REFERENCE}),
}

#: Scoped grants: the role may use the permission only for its own organisation.
#: ``AGGREGATE_MEMBERS`` on its own organisation lets an RSS's respondent read the *submitted*
#: answers of the municipalities that belong to the RSS (to aggregate them into its own
#: questionnaire); it never reaches a member's drafts, nor any other organisation's data.
OWN_ORG_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.RESPONDENT: frozenset(
        {Permission.VIEW_ORG_DATA, Permission.EDIT_ORG_DATA, Permission.AGGREGATE_MEMBERS}
    ),
}

SCOPED = frozenset(
    {Permission.VIEW_ORG_DATA, Permission.EDIT_ORG_DATA, Permission.AGGREGATE_MEMBERS}
)


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the policy sees it."""

    user_id: int
    username: str
    display_name: str
    role: Role
    organisation_code: str | None = None
    organisation_name: str | None = None


class RoleError(ValueError):
    """An impossible combination of role and organisation."""


def check_binding(role: Role, organisation_code: str | None) -> None:
    """Respondents need exactly one organisation; other roles belong to none."""
    if role is Role.RESPONDENT and not organisation_code:
        raise RoleError("a respondent must be bound to an organisation")
    if role is not Role.RESPONDENT and organisation_code:
        raise RoleError(f"role {role} is not bound to an organisation")


def is_allowed(
    principal: Principal | None, permission: Permission, organisation_code: str | None = None
) -> bool:
    """Whether ``principal`` may use ``permission`` (on ``organisation_code`` when scoped)."""
    if permission is Permission.PUBLIC:
        return True
    if principal is None:
        return False
    if permission in GRANTS[principal.role]:
        return True
    if permission in OWN_ORG_GRANTS.get(principal.role, frozenset()):
        if permission in SCOPED and organisation_code is None:
            return False
        return organisation_code == principal.organisation_code
    return False
