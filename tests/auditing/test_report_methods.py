"""A report's page and download answer GET only (issue 17, item 7)."""

from django.urls import reverse

from solidarity.auditing.models import ReportJob

from .test_reports import media, period  # noqa: F401  (fixtures)


def test_report_download_and_page_refuse_post(
    client,
    auditor,
    media,  # noqa: F811
    period,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("auditing:reports"), period)
    job = ReportJob.objects.get()
    for name in ("auditing:report-download", "auditing:report-detail"):
        url = reverse(name, args=[job.pk])
        assert client.post(url).status_code == 405, name
        assert client.get(url).status_code == 200, name
