"""Forms for filing an application step by step, screening, and custodians' decisions.

Forms validate input only; the services change state (forms never call ``save()``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.catalog.models import AccessMode, Dataset, Organisation
from solidarity.form_renderer import QUICK_RENDERER

from . import hdruk
from .models import Application, ApplicationState, Attachment, Beneficiary, DatasetRequest


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SummaryForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["title", "lay_summary", "scientific_summary", "aims", "methods"]
        widgets = {
            "lay_summary": forms.Textarea(attrs={"rows": 4}),
            "scientific_summary": forms.Textarea(attrs={"rows": 6}),
            "aims": forms.Textarea(attrs={"rows": 4}),
            "methods": forms.Textarea(attrs={"rows": 6}),
        }


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "research_use",
            "research_disease",
            "research_countries",
            "ethics_approval",
            "will_publish",
        ]
        help_texts = {
            "research_use": _(
                "Your research purpose, in the Data Use Ontology terms the datasets' consents use."
            ),
            "research_disease": _("Required for a disease-specific purpose."),
        }


class BenefitForm(forms.ModelForm):
    beneficiaries = forms.MultipleChoiceField(
        label=_("Who receives the benefit"),
        choices=Beneficiary.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Application
        fields = ["public_benefit", "beneficiaries"]
        widgets = {"public_benefit": forms.Textarea(attrs={"rows": 6})}


class FundingForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["funding", "commercial_involvement", "commercial_details"]
        widgets = {
            "funding": forms.Textarea(attrs={"rows": 3}),
            "commercial_details": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "commercial_details": _(
                "Every company involved, how, and what it gains. Required when there is any."
            )
        }


class GovernanceForm(forms.ModelForm):
    """The legal and governance facts a register states (HDR UK Data Use Register)."""

    class Meta:
        model = Application
        fields = list(hdruk.FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in hdruk.FIELDS
            if name not in hdruk.CHOICES
        }


class DatesForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end must not come before the start."))
        return data


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role in the project"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)


class DatasetRequestForm(forms.Form):
    dataset = forms.ModelChoiceField(
        label=_("Dataset"), queryset=Dataset.objects.none(), empty_label=_("Choose a dataset")
    )
    access_mode = forms.ChoiceField(
        label=_("Access mode"),
        choices=AccessMode.choices,
        initial=AccessMode.FEDERATED,
        help_text=_(
            "Federated analysis is preferred: your code goes to the data. "
            "A transfer must be justified."
        ),
    )
    variables = forms.CharField(
        label=_("Variables needed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    justification = forms.CharField(
        label=_("Why this access mode"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required for a transfer: why federated analysis will not do."),
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Dataset.objects.filter(is_active=True).select_related("custodian")
        if application is not None:
            qs = qs.exclude(requests__application=application)
        self.fields["dataset"].queryset = qs.order_by("title")
        self.fields["dataset"].label_from_instance = lambda d: f"{d.title} — {d.custodian.name}"

    def clean(self):
        data = super().clean()
        dataset, mode = data.get("dataset"), data.get("access_mode")
        if dataset and mode and mode not in (dataset.access_modes or []):
            self.add_error(
                "access_mode",
                _("%(dataset)s allows only: %(modes)s.")
                % {
                    "dataset": dataset.title,
                    "modes": ", ".join(str(m) for m in dataset.get_access_modes_display()),
                },
            )
        if mode == AccessMode.TRANSFER and not data.get("justification", "").strip():
            self.add_error("justification", _("Explain why federated analysis will not do."))
        return data


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, Word, OpenDocument or text; checked by content."),
    )


STEPS = [
    ("summary", _("Summary"), SummaryForm),
    ("purpose", _("Research purpose"), PurposeForm),
    ("benefit", _("Public benefit"), BenefitForm),
    ("funding", _("Funding"), FundingForm),
    ("dates", _("Dates"), DatesForm),
    ("governance", _("Legal basis and governance"), GovernanceForm),
    ("team", _("Team"), TeamMemberForm),
    ("datasets", _("Datasets"), DatasetRequestForm),
    ("attachments", _("Attachments"), AttachmentForm),
    ("check", _("Check and submit"), None),
]
STEP_NAMES = [name for name, _label, _form in STEPS]
# Which step holds each field, to point the "what is missing" list at the right page.
FIELD_STEP = {
    **{f: "summary" for f in SummaryForm.Meta.fields},
    **{f: "purpose" for f in PurposeForm.Meta.fields},
    **{f: "benefit" for f in BenefitForm.Meta.fields},
    **{f: "funding" for f in FundingForm.Meta.fields},
    **{f: "dates" for f in DatesForm.Meta.fields},
    **{f: "governance" for f in GovernanceForm.Meta.fields},
    "team": "team",
    "datasets": "datasets",
    "attachments": "attachments",
}


class NewApplicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)


class ReasonForm(forms.Form):
    """The one text a transition asks for (a message, a reason or the final report)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, label="", help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = help_text


class AcknowledgeConflictForm(forms.Form):
    """A consent conflict acknowledged with a written reason (committee or custodian)."""

    dataset = forms.IntegerField(widget=forms.HiddenInput)
    term = forms.CharField(max_length=30, widget=forms.HiddenInput)
    party = forms.ChoiceField(
        choices=[("committee", "committee"), ("custodian", "custodian")],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Why the use may proceed despite this conflict"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant access")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when you decline."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Where you grant: e.g. federated analysis only, no linkage."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reasons for declining."))
        return data


class QueueFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of its page

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Words of the reference, title, summaries, organisation or datasets."),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    dataset = forms.ModelChoiceField(
        label=_("Dataset"), queryset=Dataset.objects.none(), required=False, empty_label=_("Any")
    )
    custodian = forms.ModelChoiceField(
        label=_("Custodian"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    older_than = forms.IntegerField(
        label=_("Submitted at least this many days ago"),
        required=False,
        min_value=0,
        max_value=36500,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("submitted", _("Oldest submission first")),
            ("-submitted", _("Newest submission first")),
            ("reference", _("Reference")),
            ("title", _("Title")),
            ("state", _("State")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        states = [(s.value, s.label) for s in ApplicationState if s != ApplicationState.DRAFT]
        self.fields["state"].choices = [
            ("", _("Awaiting screening or decision")),
            ("all", _("All states")),
            *states,
        ]
        # Only what the options show (a dataset's label is its title, an organisation's its name).
        self.fields["dataset"].queryset = Dataset.objects.only("id", "title").order_by("title")
        self.fields["custodian"].queryset = (
            Organisation.objects.filter(datasets__isnull=False).only("id", "name").distinct()
        )


class RequestFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of its page

    state = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("Any")), *DatasetRequest.State.choices],
    )


class DiffForm(forms.Form):
    old = forms.IntegerField(label=_("From version"), min_value=1)
    new = forms.IntegerField(label=_("To version"), min_value=1)
