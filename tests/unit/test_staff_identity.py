"""Who a staff member is, from the claims of the municipality's login."""

from __future__ import annotations

from app.domain.staff_identity import ClaimNames, role_for, staff_identity
from app.models.user import Role

NAMES = ClaimNames(username="upn", full_name="name", email="email", roles="roles")
ROLE_MAP = {
    "g-boern": Role.CHILD_CASEWORKER,
    "g-voksen": Role.ADULT_CASEWORKER,
    "g-koordinator": Role.COORDINATOR,
    "g-admin": Role.ADMIN,
}


def test_a_claim_value_maps_to_its_role_and_others_are_ignored():
    assert role_for(["alle", "g-voksen"], ROLE_MAP) is Role.ADULT_CASEWORKER
    assert role_for(["alle", "G-VOKSEN"], ROLE_MAP) is None
    assert role_for([], ROLE_MAP) is None


def test_several_mapped_values_give_the_widest_role():
    assert role_for(["g-boern", "g-koordinator"], ROLE_MAP) is Role.COORDINATOR
    assert role_for(["g-koordinator", "g-admin"], ROLE_MAP) is Role.ADMIN
    assert role_for(["g-boern", "g-voksen"], ROLE_MAP) is Role.ADULT_CASEWORKER


def test_the_roles_claim_may_be_one_value_or_a_list():
    one = staff_identity({"upn": "a@k.dk", "roles": "g-admin"}, NAMES, ROLE_MAP)
    many = staff_identity({"upn": "a@k.dk", "roles": ["x", 7, "g-admin"]}, NAMES, ROLE_MAP)
    odd = staff_identity({"upn": "a@k.dk", "roles": {"g-admin": True}}, NAMES, ROLE_MAP)
    assert (one.role, many.role, odd.role) == (Role.ADMIN, Role.ADMIN, None)


def test_the_identity_takes_the_configured_claims():
    identity = staff_identity(
        {"upn": " anne@kommune.dk ", "name": "Anne Hansen", "email": "anne.h@kommune.dk",
         "preferred_username": "someone-else", "roles": ["g-boern"]},
        NAMES, ROLE_MAP)
    assert (identity.username, identity.full_name, identity.email, identity.role) == (
        "anne@kommune.dk", "Anne Hansen", "anne.h@kommune.dk", Role.CHILD_CASEWORKER)


def test_a_missing_name_falls_back_to_the_username_and_a_missing_email_stays_empty():
    identity = staff_identity({"upn": "anne@kommune.dk"}, NAMES, ROLE_MAP)
    assert (identity.full_name, identity.email, identity.role) == ("anne@kommune.dk", "", None)


def test_a_username_the_account_cannot_hold_is_no_username():
    assert staff_identity({"upn": "x" * 65}, NAMES, ROLE_MAP).username == ""
    assert staff_identity({"upn": 12345}, NAMES, ROLE_MAP).username == ""
    assert staff_identity({}, NAMES, ROLE_MAP).username == ""
