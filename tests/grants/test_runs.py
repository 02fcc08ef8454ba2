"""Runs reported back by nodes: accepted under a current grant, refused and recorded otherwise."""

import datetime

import pytest
from django.utils import timezone

from grants.models import Grant, Run
from solidarity.audit.models import AuditEvent

SHA = "a" * 64


def _grant(active, dataset):
    return Grant.objects.get(application=active, dataset=dataset)


def _run(target, **extra):
    return {
        "grant": target.pk,
        "ran_at": timezone.now().isoformat(),
        "script_sha256": SHA,
        "job_reference": "nextflow-run-42",
        "outputs": [{"name": "table1.csv", "sha256": "b" * 64}],
        "verdict": "released",
        **extra,
    }


def test_a_node_reports_a_run_under_a_current_grant(active, dataset, node_client):
    grant = _grant(active, dataset)
    response = node_client.post("/api/v1/runs/", _run(grant), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "accepted" and body["project"] == active.reference
    run = Run.objects.get()
    assert run.grant == grant and run.application == active and run.verdict == "released"
    event = AuditEvent.objects.get(action="run.report")
    assert event.actor_label.startswith("node:") and event.payload["grant"] == grant.pk
    assert [r["id"] for r in node_client.get("/api/v1/runs/").json()["results"]] == [run.pk]


def test_a_run_under_an_ended_grant_is_refused_and_recorded(
    api_client, active, chair, dataset, node_client, custodian
):
    grant = _grant(active, dataset)
    api_client.force_authenticate(chair)
    api_client.post(f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json")
    response = node_client.post("/api/v1/runs/", _run(grant), format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "grant_ended"
    assert body["run"]["status"] == "refused"
    run = Run.objects.get()
    assert run.status == "refused" and "Project suspended" in run.refusal_reason
    assert AuditEvent.objects.filter(action="run.refuse", target_id=str(run.pk)).exists()
    assert custodian.notifications.filter(subject__contains="ended").exists()


def test_a_run_before_the_grant_began_is_refused(active, dataset, node_client):
    grant = _grant(active, dataset)
    early = (grant.started_at - datetime.timedelta(days=2)).isoformat()
    response = node_client.post("/api/v1/runs/", _run(grant, ran_at=early), format="json")
    assert response.status_code == 409
    assert Run.objects.get().status == "refused"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"script_sha256": "", "job_reference": ""}, "script_sha256"),
        ({"script_sha256": "not-a-hash"}, "script_sha256"),
        ({"verdict": "maybe"}, "verdict"),
        ({"ran_at": "soon"}, "ran_at"),
        ({"grant": "x"}, "grant"),
        ({"grant": 10**30}, "grant"),
        ({"outputs": [{"sha256": "zz"}]}, "outputs"),
        ({"outputs": "table1.csv"}, "outputs"),
    ],
)
def test_bad_run_reports_answer_400_and_save_nothing(active, dataset, node_client, change, field):
    data = _run(_grant(active, dataset), **change)
    response = node_client.post("/api/v1/runs/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Run.objects.exists()


def test_a_run_in_the_future_is_refused_with_400(active, dataset, node_client):
    later = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    response = node_client.post(
        "/api/v1/runs/", _run(_grant(active, dataset), ran_at=later), format="json"
    )
    assert response.status_code == 400
    assert not Run.objects.exists()


def test_a_node_cannot_report_on_another_organisations_grant(
    active, other_dataset, node_client, other_node_client
):
    response = node_client.post("/api/v1/runs/", _run(_grant(active, other_dataset)), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["grant"] == ["Unknown grant."]
    assert not Run.objects.exists()
    response = other_node_client.post(
        "/api/v1/runs/", _run(_grant(active, other_dataset)), format="json"
    )
    assert response.status_code == 201


def test_people_cannot_report_runs(api_client, active, dataset, researcher, custodian):
    for user in (researcher, custodian):
        api_client.force_authenticate(user)
        response = api_client.post("/api/v1/runs/", _run(_grant(active, dataset)), format="json")
        assert response.status_code == 403
    assert not Run.objects.exists()


def test_custodian_sees_runs_on_the_project_page_and_flags_one(
    client, active, dataset, node_client, custodian, other_custodian, researcher, chair
):
    node_client.post("/api/v1/runs/", _run(_grant(active, dataset)), format="json")
    run = Run.objects.get()

    client.force_login(researcher)
    detail = client.get(f"/applications/{active.pk}/").content.decode()
    assert f"/grants/projects/{active.pk}/" in detail and "(1 runs)" in detail
    page = client.get(f"/grants/projects/{active.pk}/").content.decode()
    assert f"R-{run.pk}" in page and "nextflow-run-42" in page and "table1.csv" in page
    assert "Flag" not in page  # the applicant may read, not flag

    # Another custodian in the same project sees neither this run nor may flag it.
    client.force_login(other_custodian)
    assert f"R-{run.pk}" not in client.get(f"/grants/projects/{active.pk}/").content.decode()
    response = client.post(f"/grants/runs/{run.pk}/flag/", {"reason": "Looks odd"})
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.flagged_at is None

    client.force_login(custodian)
    page = client.get(f"/grants/projects/{active.pk}/").content.decode()
    assert f"R-{run.pk}" in page and "Why flag this run" in page
    response = client.post(f"/grants/runs/{run.pk}/flag/", {"reason": ""})
    run.refresh_from_db()
    assert run.flagged_at is None
    response = client.post(f"/grants/runs/{run.pk}/flag/", {"reason": "Small cells released"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.flagged_by == custodian and run.flag_reason == "Small cells released"
    assert AuditEvent.objects.filter(action="run.flag", target_id=str(run.pk)).exists()
    assert chair.notifications.filter(subject__contains="flagged").exists()
    assert "Flagged" in client.get(f"/grants/projects/{active.pk}/").content.decode()


def test_outsiders_do_not_see_the_project_runs(client, active, outsider):
    client.force_login(outsider)
    assert client.get(f"/grants/projects/{active.pk}/").status_code == 404


def test_the_dossier_shows_grants_and_runs(
    active, dataset, node_client, auditor, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io
    import json

    from pypdf import PdfReader

    from solidarity.auditing.models import ReportJob
    from solidarity.auditing.services import report_request

    settings.MEDIA_ROOT = tmp_path / "media"
    node_client.post("/api/v1/runs/", _run(_grant(active, dataset)), format="json")
    with django_capture_on_commit_callbacks(execute=True):
        job = report_request(
            actor=auditor, kind="dossier", params={"application": active.reference}
        )
    job = ReportJob.objects.get(pk=job.pk)
    assert job.state == "done", job.error
    reader = PdfReader(io.BytesIO(job.file.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    data = json.loads(reader.attachments["report-data.json"][0])["grants_and_runs"]
    assert len(data["grants"]) == 2
    (run,) = data["runs"]
    assert run["what"] == "nextflow-run-42" and run["outputs"] == ["table1.csv"]
    squeezed = text.replace(" ", "")
    assert "Accessgrantsandruns" in squeezed and "nextflow-run-42" in squeezed
    assert "run.report" in text
