"""The JSON API against its own published description (schemathesis): generated requests for
every operation, as an administrator, a small fixed number of seeded examples each. No answer
may be a server error, and every answer must have the shape the description publishes."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from app.domain.youth import YouthData
from app.models.user import Role
from app.services import auth, youths
from app.web.api.docs import api_schema
from tests.conftest import make_user
from tests.integration.test_route_access import _world

EXAMPLES = 25  # per operation; seeded (derandomize), so every run sends the same requests
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


class _SchemaRequest:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app


@pytest.fixture
def admin_token(session, settings):  # type: ignore[no-untyped-def]
    """Young people with one of everything (id 1 exists for every kind of object)."""
    _world(session)
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    youths.create(session, settings, worker, YouthData(
        cpr="180812-4559", first_name="Emil", last_name="Skov",
        child_caseworker_id=worker.id), date(2026, 11, 30))
    token = auth.issue_api_token(session, make_user(session, Role.ADMIN, "admin"), "fuzz")
    session.commit()
    return token


def _known_ids(operation):  # type: ignore[no-untyped-def]
    """The operation's cases, with every id in the path one that mostly exists, so that
    the bodies reach the rules behind the 404s."""
    ids = st.sampled_from([1, 1, 2, 2, 3, 999_999])

    def with_ids(pair):  # type: ignore[no-untyped-def]
        case, drawn = pair
        for name in case.path_parameters or {}:
            if name.endswith("_id"):
                case.path_parameters[name] = drawn
        return case

    return st.tuples(operation.as_strategy(), ids).map(with_ids)


@pytest.fixture
def api(app, admin_token):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_dict(api_schema(_SchemaRequest(app)))  # type: ignore[arg-type]
    schema.app = app
    return schema


def test_no_operation_answers_a_server_error_or_off_its_description(api, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:

        @given(case=_known_ids(operation))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # one operation's failure must not hide the others'
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:600])
    assert failures == []
