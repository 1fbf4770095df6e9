"""The access policy."""

from __future__ import annotations

import pytest

from naravard.accounts.roles import (
    Permission,
    Principal,
    Role,
    RoleError,
    check_binding,
    is_allowed,
)


def p(role: Role, org: str | None = None) -> Principal:
    return Principal(1, "u", "U", role, org)


def test_anonymous_only_public() -> None:
    assert is_allowed(None, Permission.PUBLIC)
    others = [perm for perm in Permission if perm is not Permission.PUBLIC]
    assert not any(is_allowed(None, perm, "13") for perm in others)


def test_respondent_scoped_to_own_organisation() -> None:
    r = p(Role.RESPONDENT, "13")
    assert is_allowed(r, Permission.VIEW_ORG_DATA, "13")
    assert is_allowed(r, Permission.EDIT_ORG_DATA, "13")
    assert not is_allowed(r, Permission.VIEW_ORG_DATA, "20")
    assert not is_allowed(r, Permission.VIEW_ORG_DATA, "1384")  # not even a member municipality
    assert not is_allowed(r, Permission.VIEW_ORG_DATA, None)
    assert not is_allowed(r, Permission.VIEW_ALL_DATA)
    assert not is_allowed(r, Permission.MANAGE_USERS)


def test_staff_roles() -> None:
    assert is_allowed(p(Role.ANALYST), Permission.VIEW_ORG_DATA, "20")
    assert not is_allowed(p(Role.ANALYST), Permission.EDIT_ORG_DATA, "20")
    assert not is_allowed(p(Role.ANALYST), Permission.MANAGE_FUNDS)
    assert is_allowed(p(Role.GRANT_OFFICER), Permission.MANAGE_FUNDS)
    assert not is_allowed(p(Role.GRANT_OFFICER), Permission.MANAGE_ROUNDS)
    assert is_allowed(p(Role.ADMIN), Permission.MANAGE_USERS)
    assert not is_allowed(p(Role.ADMIN), Permission.EDIT_ORG_DATA, "13")


def test_aggregate_members_is_scoped_to_the_own_organisation() -> None:
    rss = p(Role.RESPONDENT, "RSS13")
    assert is_allowed(rss, Permission.AGGREGATE_MEMBERS, "RSS13")
    assert not is_allowed(rss, Permission.AGGREGATE_MEMBERS, "RSS20")
    assert not is_allowed(rss, Permission.AGGREGATE_MEMBERS, None)
    assert not is_allowed(rss, Permission.VIEW_ORG_DATA, "1384")  # members' own data stays closed
    assert not is_allowed(p(Role.RESPONDENT, "1384"), Permission.AGGREGATE_MEMBERS, "RSS13")
    for role in (Role.ADMIN, Role.ANALYST, Role.GRANT_OFFICER):
        assert is_allowed(p(role), Permission.AGGREGATE_MEMBERS, "RSS20")


@pytest.mark.parametrize(
    ("role", "org", "ok"),
    [(Role.RESPONDENT, "13", True), (Role.RESPONDENT, None, False), (Role.ADMIN, None, True),
     (Role.ANALYST, "13", False)],
)
def test_binding(role: Role, org: str | None, ok: bool) -> None:
    if ok:
        check_binding(role, org)
    else:
        with pytest.raises(RoleError):
            check_binding(role, org)
