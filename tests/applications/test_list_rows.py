"""What each row of the applicants', the secretariat's and the custodians' lists shows: the
link, the labels, the counts and the dates, in the reader's language (the rows are written
once per page by the views)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from applications import services
from applications.models import Application
from tests.factories import DatasetFactory

from . import factories


def _short(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def test_queue_rows_show_link_state_counts_dates_and_what_is_awaited(
    client, researcher, secretariat, organisation
):
    two = [DatasetFactory(custodian=organisation), DatasetFactory(custodian=organisation)]
    plural = factories.submitted(researcher, title="Heat <and> diabetes", datasets=two)
    single = factories.submitted(researcher, title="Asthma", datasets=[DatasetFactory()])
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    Application.objects.filter(pk=single.pk).update(submitted_at=ten_days_ago)
    client.force_login(secretariat)
    body = client.get(reverse("applications:queue")).content.decode()
    detail = reverse("applications:detail", args=[plural.pk])
    assert f'<a href="{detail}">Heat &lt;and&gt; diabetes</a>' in body
    assert '<span class="tag state" data-state="submitted">Submitted</span>' in body
    assert "2 datasets, 2 pending" in body
    assert "1 dataset, 1 pending" in body
    assert f'<time datetime="{timezone.localtime(ten_days_ago).isoformat()}">' in body
    assert f"{_short(ten_days_ago)}</time> (1\xa0week, 3\xa0days ago)" in body
    assert "Screening — the secretariat" in body


def test_queue_rows_in_french(client, researcher, secretariat):
    application = factories.submitted(researcher, datasets=[DatasetFactory(), DatasetFactory()])
    secretariat.language = "fr"
    secretariat.save(update_fields=["language"])
    client.force_login(secretariat)
    body = client.get(reverse("applications:queue"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in body
    assert date_format(timezone.localtime(application.submitted_at), "SHORT_DATE_FORMAT") in body
    from django.utils import translation

    with translation.override("fr"):
        from django.utils.translation import gettext, ngettext

        assert ngettext("%(counter)s dataset", "%(counter)s datasets", 2) % {"counter": 2} in body
        assert gettext("Submitted") in body
        assert gettext("Screening") in body


def test_my_applications_rows(client, researcher):
    draft = factories.draft(researcher, title="First & draft")
    client.force_login(researcher)
    body = client.get(reverse("applications:mine")).content.decode()
    detail = reverse("applications:detail", args=[draft.pk])
    assert f'<a href="{detail}">First &amp; draft</a>' in body
    assert '<span class="tag state" data-state="draft">Draft</span>' in body
    assert "<td>Completion and submission</td><td>the applicant</td>" in body
    assert f"<td>{_short(draft.updated_at)}</td>" in body


def test_custodian_request_rows(client, researcher, custodian, organisation):
    dataset = DatasetFactory(custodian=organisation, title="Births & deaths")
    other = DatasetFactory(custodian=organisation, title="Cancer")
    application = factories.submitted(researcher, title="Heat", datasets=[dataset, other])
    granted = application.dataset_requests.get(dataset=other)
    services.dataset_request_grant(actor=custodian, dataset_request=granted)
    pending = application.dataset_requests.get(dataset=dataset)
    client.force_login(custodian)
    body = client.get(reverse("applications:requests")).content.decode()
    detail = reverse("applications:detail", args=[application.pk])
    assert f'<a href="{detail}">{application.reference}: Heat</a>' in body
    decide = reverse("applications:decide", args=[pending.pk])
    assert f'<a href="{decide}">Decide on Births &amp; deaths</a>' in body
    assert reverse("applications:decide", args=[granted.pk]) not in body
    assert "<td>Granted</td>" in body
    assert "<td>Federated analysis (the code goes to the data)</td>" in body
    assert '<span class="tag state" data-state="submitted">Submitted</span>' in body
