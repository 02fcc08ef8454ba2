"""Importing PLUTO's questionnaire: the default framework, refusals of malformed files."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from reviews.hooks import seed_default_framework
from reviews.models import AssessmentFramework, Choice, Question
from reviews.services import framework_ensure_default, framework_new_version
from reviews.services.frameworks import BUNDLED_PLUTO
from solidarity.accounts.demo import _seeders
from solidarity.audit.models import AuditEvent

PLUTO = json.loads(BUNDLED_PLUTO.read_text())


def _write(tmp_path, data, name="survey.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_import_command_makes_pluto_the_default_framework(db, tmp_path):
    call_command("import_framework", "--format", "pluto", _write(tmp_path, PLUTO))
    framework = AssessmentFramework.objects.get(is_default=True)
    assert framework.version == "v1.0.0"
    assert "University of Vienna" in framework.credit
    assert "MIT License" in framework.licence
    assert Question.objects.filter(group__framework=framework).count() == 24
    q2 = Question.objects.get(group__framework=framework, label="Q2")
    assert (q2.axis, q2.min_select, q2.max_select) == ("benefit", 1, 2)
    q6 = Question.objects.get(group__framework=framework, label="Q6")
    assert q6.axis == "safety"
    kinds = set(
        Choice.objects.filter(question__group__framework=framework).values_list("kind", flat=True)
    )
    assert kinds == {"regular", "other_inclusive", "other_exclusive", "unknown"}
    assert AuditEvent.objects.filter(action="framework.import").count() == 1


def test_importing_the_same_version_twice_is_refused(db, tmp_path):
    path = _write(tmp_path, PLUTO)
    call_command("import_framework", "--format", "pluto", path)
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_framework", "--format", "pluto", path)
    assert AssessmentFramework.objects.count() == 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["data"][0]["attributes"].pop("groups"), "groups: must be a non-empty list"),
        (
            lambda d: d["data"][0]["attributes"]["groups"][1]["questions"]["data"][0]["attributes"][
                "metadata"
            ].__setitem__("impact", "z"),
            "groups[1].questions.data[0].attributes.metadata.impact: must be 'x' or 'y'",
        ),
        (
            lambda d: d["data"][0]["attributes"]["groups"][0]["questions"]["data"][1]["attributes"][
                "choices"
            ][0].__setitem__("type", "mystery"),
            "choices[0].type: must be one of",
        ),
        (
            lambda d: d["data"][0]["attributes"]["groups"][0]["questions"]["data"][1]["attributes"][
                "choices"
            ][0].__setitem__("score", "1"),
            "choices[0].score: must be a whole number",
        ),
        (
            lambda d: d["data"][0]["attributes"]["groups"][2]["questions"]["data"][0]["attributes"][
                "metadata"
            ]["selection"].__setitem__("end", 0),
            "selection.end: must be a whole number",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_what_is_wrong_and_nothing_is_imported(
    db, tmp_path, mutate, message
):
    data = copy.deepcopy(PLUTO)
    mutate(data)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_framework", "--format", "pluto", _write(tmp_path, data))
    assert message in str(excinfo.value)
    assert AssessmentFramework.objects.count() == 0
    assert Question.objects.count() == 0


def test_a_file_that_is_not_json_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_framework", "--format", "pluto", _write(tmp_path, "{nope"))
    assert AssessmentFramework.objects.count() == 0


def test_bundled_if_missing_is_idempotent(db):
    call_command("import_framework", "--bundled", "--if-missing")
    call_command("import_framework", "--bundled", "--if-missing")
    assert AssessmentFramework.objects.filter(is_default=True).count() == 1


def test_seed_demo_seeder_imports_the_default_framework_once(db):
    assert seed_default_framework in _seeders
    seed_default_framework(users={})
    seed_default_framework(users={})
    assert AssessmentFramework.objects.filter(is_default=True).count() == 1


def test_a_new_version_copies_the_questions_and_leaves_the_original(db):
    original = framework_ensure_default()
    copy_ = framework_new_version(actor=None, framework=original, version="v1.0.1-local")
    assert copy_.pk != original.pk and not copy_.is_default
    assert Question.objects.filter(group__framework=copy_).count() == 24
    assert (
        Choice.objects.filter(question__group__framework=copy_).count()
        == Choice.objects.filter(question__group__framework=original).count()
    )


def test_framework_in_use_is_locked(db, in_review, assignment, framework):
    from reviews import services

    from .factories import answers

    services.assessment_save_draft(
        actor=assignment.reviewer, assignment=assignment, answers=answers(framework)
    )
    assert framework.is_locked


def test_staff_copy_a_framework_to_a_new_version_from_the_admin(client, db):
    from tests.factories import UserFactory

    original = framework_ensure_default()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        "/admin/reviews/assessmentframework/",
        {"action": "new_version", "_selected_action": [original.pk]},
    )
    assert response.status_code == 302
    assert AssessmentFramework.objects.count() == 2
    assert AssessmentFramework.objects.get(is_default=True) == original
