"""The OpenAPI schema tells the truth: schemathesis sends generated requests to every operation
of ``/api/schema/`` as several roles (token authentication) and checks each answer.

Checks per answer: no 5xx, the status code is documented for the operation, the content type is
documented, and the body matches the documented schema (a page where a page is documented, a
list where a list is, the error shape ``{"error": {code, message, fields}}`` for 4xx).

Path ids are drawn half the time from objects of the demo world, so requests reach real
objects (and their refusals) rather than only 404s. The number of examples is bounded
(``EXAMPLES`` per operation and role) so the whole run stays well under two minutes;
``HYPOTHESIS_PROFILE=deep`` (``make test-deep``) multiplies it.
"""

import contextlib
import os
import re

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import SchemathesisError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from applications.models import Application, Attachment, DatasetRequest, TeamMember
from benefits.models import BenefitAgreement, FundTransaction, Obligation
from harms.models import HarmIncident, HarmReport, RedressAction
from reviews.models import Assessment, AssessmentFramework, Assignment, Condition, RiskItem
from solidarity.accounts.models import User
from solidarity.audit.models import AuditEvent
from solidarity.catalog.models import Dataset
from tests.factories import UserFactory

# Per operation and role: this many cases with the ids of real objects where the path takes
# ids (generated ids, which mostly meet 404s, for the anonymous visitor and the deep profile),
# and with generated values otherwise. About 1,000 requests: a minute and a half here.
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
EXAMPLES = 20 if DEEP else 1
ROLES = [
    "researcher",
    "custodian",
    "chair",
    "harm_officer",
    "benefit_officer",
    "auditor",
    None,  # anonymous
]
if DEEP:
    ROLES += ["researcher2", "secretariat", "reviewer", "outsider"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The first segment of a path under /api/v1/ and the objects whose ids it takes.
ID_SOURCES = {
    "applications": Application.objects,
    "committee": Application.objects,
    "assessments": Assessment.objects,
    "assignments": Assignment.objects,
    "audit-events": AuditEvent.objects,
    "benefit-agreements": BenefitAgreement.objects,
    "conditions": Condition.objects,
    "dataset-requests": DatasetRequest.objects,
    "datasets": Dataset.objects,
    "frameworks": AssessmentFramework.objects,
    "fund": FundTransaction.objects,
    "harm-reports": HarmReport.objects,
    "incidents": HarmIncident.objects,
    "obligations": Obligation.objects,
    "redress-actions": RedressAction.objects,
    "risk-reviews": RiskItem.objects,
}


@pytest.fixture
def world(db):
    call_command("seed_demo")
    UserFactory(username="outsider", roles=[])


@pytest.fixture
def wsgi_app():
    """The real WSGI application, keeping the test's database connection open across requests
    (as Django's test client does), so that it sees the test's data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


def _known_values(path: str) -> dict[str, list]:
    """Real values for the path's parameters, taken from the demo world."""
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    values: dict[str, list] = {}
    if segment in ID_SOURCES:
        values["id"] = list(ID_SOURCES[segment].order_by("pk").values_list("pk", flat=True)[:8])
    values["attachment_id"] = list(Attachment.objects.values_list("pk", flat=True)[:4])
    values["member_id"] = list(TeamMember.objects.values_list("pk", flat=True)[:4])
    values["reference"] = list(
        Application.objects.exclude(reference="").values_list("reference", flat=True)[:4]
    )
    values["user"] = list(User.objects.values_list("username", flat=True)[:4])
    names = set(re.findall(r"\{(\w+)\}", path))
    return {
        name: [v for v in found if v is not None] for name, found in values.items() if name in names
    }


def _strategies(operation, mode=GenerationMode.POSITIVE, *, generated_ids=True):
    """Where the path takes ids, values of real objects (and generated ones if asked);
    generated values otherwise."""
    known = _known_values(operation.path)
    usable = bool(known) and all(known.values())
    if mode is GenerationMode.POSITIVE and (generated_ids or not usable):
        yield operation.as_strategy()
    if usable:
        fixed = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in known.items()})
        yield fixed.flatmap(
            lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
        )
    elif mode is GenerationMode.NEGATIVE:
        yield operation.as_strategy(generation_mode=mode)


def _headers(role):
    if role is None:
        return {}
    token, _ = Token.objects.get_or_create(user=User.objects.get(username=role))
    return {"Authorization": f"Token {token.key}"}


def _run(operation, strategy, headers, failures, checks=CHECKS):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The same cases on every run (CI stays reproducible); the deep profile explores.
        derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "deep",
        phases=[Phase.explicit, Phase.generate],  # a failure is reported, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case):
        # One savepoint per request, as a request's own transaction: a refused statement
        # answers 503 and leaves the next request a working connection.
        with transaction.atomic():
            response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except* AssertionError as group:
            for failure in group.exceptions:
                for found in getattr(failure, "exceptions", [failure]):
                    title = getattr(found, "title", type(found).__name__)
                    failures.setdefault(
                        (operation.label, title),
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{str(getattr(found, 'message', found))[:300]}",
                    )

    # Negative mode: an operation whose schema nothing can break has no case to send.
    with contextlib.suppress(Unsatisfiable, SchemathesisError):
        send()


def test_every_answer_matches_the_schema_for_every_role(api_schema):
    failures: dict[tuple[str, str], str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 100
    for role in ROLES:
        headers = _headers(role)
        for operation in operations:
            for strategy in _strategies(operation, generated_ids=DEEP or role is None):
                _run(operation, strategy, headers, failures)
    report = "\n".join(
        f"{label} [{title}]\n    {detail}" for (label, title), detail in failures.items()
    )
    assert not failures, f"{len(failures)} disagreements with the schema:\n{report}"


# Generating schema-breaking input is slow (about 8 minutes here for 3 roles): part of
# `make test-deep DEEP_TESTS=tests/kernel/test_api_schema_conformance.py`, not of every run.
@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE") != "deep", reason="deep profile only (slow generation)"
)
def test_malformed_input_is_refused_without_a_server_error(api_schema):
    """Inputs that break the schema (wrong types, missing fields, bad ids) answer a
    documented 4xx in the error shape, never a 5xx: as a researcher, an officer and anonymous."""
    failures: dict[tuple[str, str], str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    for role in ("researcher", "harm_officer", None):
        headers = _headers(role)
        for operation in operations:
            for strategy in _strategies(operation, GenerationMode.NEGATIVE):
                _run(operation, strategy, headers, failures, checks=checks)
    report = "\n".join(
        f"{label} [{title}]\n    {detail}" for (label, title), detail in failures.items()
    )
    assert not failures, f"{len(failures)} answers to malformed input:\n{report}"
