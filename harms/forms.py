import re
from decimal import Decimal

from django import forms
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from solidarity.catalog.models import Dataset
from solidarity.form_renderer import QUICK_RENDERER, ListedChoiceIterator
from solidarity.validators import AsciiDecimalField

from .models import Affected, HarmCategory, HarmReportState, RedressKind, Severity
from .selectors import public_projects

TEXT_LIMIT = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CountedTextarea(forms.Textarea):
    """A text box that shows its limit and a live count, and never cuts pasted text: the
    browser's ``maxlength`` would silently truncate a paste, so the form refuses instead."""

    def __init__(self, attrs=None, limit=TEXT_LIMIT):
        self.limit = limit
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.pop("maxlength", None)
        widget_attrs["data-limit"] = self.limit
        widget_attrs["data-count-label"] = _("%(count)s of %(limit)s characters") % {
            "count": "{count}",
            "limit": number_format(self.limit, force_grouping=True),
        }
        return context


def _area(rows=6, limit=TEXT_LIMIT):
    return CountedTextarea(attrs={"rows": rows}, limit=limit)


def _too_long(limit=TEXT_LIMIT):
    return {
        "max_length": _(
            "Your text has %(show_value)d characters; the limit is %(limit_value)d. "
            "Please shorten it: nothing was cut and nothing was sent."
        )
    }


class ReportForm(forms.Form):
    """What happened: plain words, no proof of a legal violation asked for."""

    what_happened = forms.CharField(
        label=_("What happened?"),
        max_length=TEXT_LIMIT,
        error_messages=_too_long(),
        widget=_area(8),
        help_text=_(
            "In your own words, up to 5,000 characters. You do not need to prove anything: "
            "tell us what you think went wrong and how it affected you."
        ),
    )
    occurred_when = forms.CharField(
        label=_("When did it happen?"),
        max_length=200,
        help_text=_("A date, or roughly, e.g. “spring 2025” or “last week”."),
    )
    affected = forms.ChoiceField(
        label=_("Who was affected?"), choices=Affected.choices, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(
        label=_("What kind of harm?"),
        choices=HarmCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply."),
    )
    attachments = MultipleFileField(
        label=_("Files (optional)"),
        required=False,
        help_text=_(
            "Letters, screenshots or documents: PDF, image, Word, OpenDocument or text. "
            "If the form comes back with a problem, choose the files again."
        ),
    )


class LinkForm(forms.Form):
    """The project or dataset concerned, only if the reporter knows it."""

    project_search = forms.CharField(
        label=_("Project title or reference (only if you know it)"),
        max_length=200,
        required=False,
        help_text=_("Search the public register, e.g. “DSA-2026-0001” or words from the title."),
    )
    project = forms.ModelChoiceField(
        label=_("Matching projects"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    dataset = forms.ModelChoiceField(
        label=_("Dataset (only if you know it)"),
        queryset=Dataset.objects.select_related("custodian").order_by("title"),
        required=False,
        empty_label=_("I don't know"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from applications.models import Application
        from applications.rules import public_q

        search = (self.data.get(self.add_prefix("project_search")) or "").strip()[:200]
        self.search = search
        self.matches = public_projects(search) if search else []
        self.fields["project"].queryset = Application.objects.filter(
            public_q(), pk__in=[p.pk for p in self.matches]
        )
        self.fields["dataset"].label_from_instance = lambda d: f"{d.title} ({d.custodian.name})"
        if not self.matches:
            del self.fields["project"]

    def clean(self):
        data = super().clean()
        if not data.get("project") and len(self.matches) == 1 and data.get("project_search"):
            match = self.matches[0]
            if (match.reference or "").lower() == data["project_search"].strip().lower():
                data["project"] = match
        return data


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-mail for updates (optional)"),
        max_length=254,
        required=False,
        help_text=_("Only the harm panel can read it; it is stored encrypted."),
    )
    phone = forms.CharField(label=_("Telephone (optional)"), max_length=40, required=False)
    # A honeypot: people never see it (hidden by the stylesheet), robots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def contact(self) -> dict:
        return {k: self.cleaned_data.get(k, "") for k in ("name", "email", "phone")}


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("The code you were given when you sent your report, e.g. ABCD-EFGH-JKMN-PQRS."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=TEXT_LIMIT, widget=_area(4))


class OfficerMessageForm(MessageForm):
    internal = forms.BooleanField(
        label=_("Internal note: not shown to the reporter"), required=False
    )


class AcknowledgeForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the reporter"),
        max_length=TEXT_LIMIT,
        widget=_area(4),
        initial=_("Thank you for your report. We have received it and will look at it carefully."),
    )


def _applications_queryset():
    """Projects a harm can be linked to: those on the public register, as harm officers see."""
    from applications.models import Application
    from applications.rules import public_q

    return Application.objects.filter(public_q()).order_by("reference")


class _ReferencesInput(forms.TextInput):
    """Projects typed by reference, comma-separated; repeated values are joined."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return ", ".join(str(v) for v in values if v)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(v, "reference", None) or str(v) for v in value)
        return super().format_value(value)


class ProjectReferencesField(forms.CharField):
    """Projects on the register named by reference (or number): a typed list rather than a
    drop-down holding every project, which grows with the register."""

    widget = _ReferencesInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", _("References separated by commas, e.g. DSA-2025-000123"))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        tokens = [t for t in re.split(r"[\s,;]+", text.upper()) if t]
        if not tokens:
            return []
        if len(tokens) > 50:
            raise forms.ValidationError(_("Name at most 50 projects."))
        ids = [int(t) for t in tokens if t.isascii() and t.isdecimal() and len(t) <= 18]
        refs = [t for t in tokens if not (t.isascii() and t.isdecimal())]
        found = list(
            _applications_queryset().filter(models.Q(pk__in=ids) | models.Q(reference__in=refs))
        )
        known = {str(a.pk) for a in found} | {a.reference for a in found}
        missing = [t for t in tokens if t not in known]
        if missing:
            raise forms.ValidationError(
                _("Not on the public register: %(refs)s") % {"refs": ", ".join(missing)}
            )
        return found


class TriageForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    applications = ProjectReferencesField(label=_("Projects concerned (confirmed)"), required=False)
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets concerned (confirmed)"),
        queryset=Dataset.objects.order_by("title"),
        required=False,
    )
    note = forms.CharField(
        label=_("Internal note (optional)"), max_length=TEXT_LIMIT, required=False, widget=_area(3)
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note (optional)"), max_length=TEXT_LIMIT, required=False, widget=_area(3)
    )


class OfferRedressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of redress"), choices=RedressKind.choices)
    description = forms.CharField(
        label=_("What is offered (the reporter reads this)"),
        max_length=2000,
        widget=_area(3, 2000),
    )
    amount = AsciiDecimalField(
        label=_("Amount (financial support only)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    dataset = forms.ModelChoiceField(
        label=_("Dataset (correction or deletion only)"),
        queryset=Dataset.objects.order_by("title"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == RedressKind.FINANCIAL and not data.get("amount"):
            self.add_error("amount", _("Give the amount of financial support."))
        if data.get("kind") in (RedressKind.DATA_CORRECTION, RedressKind.DATA_DELETION) and not (
            data.get("dataset")
        ):
            self.add_error("dataset", _("Name the dataset whose custodian must act."))
        return data

    @property
    def amount_minor(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return int(amount * 100) if amount else None


class ResolveForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome (sent to the reporter)"), max_length=TEXT_LIMIT, widget=_area(4)
    )
    lesson = forms.CharField(
        label=_("Lesson for reviewers (optional)"),
        required=False,
        max_length=1000,
        widget=_area(3),
        help_text=_(
            "Reviewers of later applications using the same datasets or organisations read "
            "it. Name no one: no names, addresses, numbers or references."
        ),
    )


class CloseForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons (sent to the reporter)"), max_length=TEXT_LIMIT, widget=_area(4)
    )


class ReferForm(CloseForm):
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        help_text=_("E.g. the data-protection authority."),
    )
    field_order = ["referred_to", "reasons"]


class RecommendSuspensionForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Project"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_area(3))

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        if report is not None:
            from applications.rules import APPLICATION

            # The linked projects the chair could suspend now (the applications rulebook).
            suspendable = [
                a.pk for a in report.applications.all() if APPLICATION.in_source_state("suspend", a)
            ]
            qs = report.applications.filter(pk__in=suspendable)
        else:
            qs = _applications_queryset()
        self.fields["application"].queryset = qs
        self.fields["application"].label_from_instance = lambda a: f"{a.reference}: {a.title}"


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why do you disagree with the decision?"), max_length=TEXT_LIMIT, widget=_area(4)
    )


class RedressAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Comment (optional)"), max_length=2000, required=False, widget=_area(2, 2000)
    )


def _iban_valid(value: str) -> bool:
    """ISO 13616: two letters, two check digits, up to 30 letters or digits, mod 97 = 1."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", value):
        return False
    moved = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


class PaymentDetailsForm(forms.Form):
    """Where the reporter wants financial support paid: read by the harm panel only."""

    account_holder = forms.CharField(label=_("Account holder"), max_length=140)
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_("The international bank account number, e.g. AT61 1904 3002 3457 3201."),
    )
    bic = forms.CharField(label=_("BIC (if your bank needs it)"), max_length=11, required=False)
    note = forms.CharField(
        label=_("Anything the panel should know (optional)"),
        max_length=500,
        required=False,
        widget=_area(2, 500),
    )

    def clean_iban(self):
        value = re.sub(r"\s+", "", self.cleaned_data["iban"]).upper()
        if not _iban_valid(value):
            raise forms.ValidationError(
                _("This is not a valid IBAN. Check it against your bank statement.")
            )
        return value

    def clean_bic(self):
        value = re.sub(r"\s+", "", self.cleaned_data.get("bic", "")).upper()
        if value and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", value):
            raise forms.ValidationError(_("A BIC has 8 or 11 letters and digits."))
        return value


class DeliverForm(forms.Form):
    note = forms.CharField(
        label=_("How it was delivered"), max_length=2000, required=False, widget=_area(2, 2000)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=_area(3))


class QueueFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of the queue

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *HarmReportState.choices]
    )
    category = forms.ChoiceField(
        label=_("Kind of harm"), required=False, choices=[("", _("Any")), *HarmCategory.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any")), *Severity.choices]
    )
    # A typed reference, not a drop-down: there may be a hundred thousand projects.
    project = forms.CharField(
        label=_("Project reference"),
        required=False,
        max_length=20,
        help_text=_("e.g. DSA-2025-000123"),
        widget=forms.TextInput(attrs={"placeholder": "DSA-", "autocomplete": "off"}),
    )
    dataset = forms.ModelChoiceField(
        label=_("Dataset"),
        queryset=Dataset.objects.only("id", "title").order_by("title"),
        required=False,
        empty_label=_("Any"),
    )
    dataset.iterator = ListedChoiceIterator
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def clean_project(self):
        """The project named by its reference (or number), among those harms can be linked to."""
        text = self.cleaned_data.get("project", "").strip()
        if not text:
            return None
        qs = _applications_queryset()
        found = (
            qs.filter(pk=int(text)).first()
            if text.isascii() and text.isdecimal() and len(text) <= 18
            else qs.filter(reference=text.upper()).first()
        )
        if found is None:
            raise forms.ValidationError(_("No project on the register has this reference."))
        return found
