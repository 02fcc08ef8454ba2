from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidarity.form_renderer import QUICK_RENDERER
from solidarity.validators import sane_date

from .models import (
    AgreementKind,
    BeneficiaryKind,
    BenefitAgreement,
    FundTransaction,
    ObligationKind,
    Recurrence,
    TransactionKind,
)
from .money import CURRENCY_CHOICES, DEFAULT_CURRENCY, parse_amount, parse_percent


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementDraftForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Approved application"), queryset=None, empty_label=_("Choose an application")
    )
    kind = forms.ChoiceField(
        label=_("Kind of use"),
        choices=AgreementKind.choices,
        help_text=_("Commercial use only where the project has commercial involvement."),
    )
    from_template = forms.BooleanField(
        label=_("Start from the template's obligations for this kind of use"),
        required=False,
        initial=True,
    )
    grace_days = forms.IntegerField(
        label=_("Grace period in days"),
        min_value=0,
        max_value=365,
        help_text=_("How long an obligation may stay overdue before the agreement is in breach."),
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: (
            f"{a.reference or a.pk}: {a.title}"
        )


class AgreementTermsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of use"), choices=AgreementKind.choices)
    terms = forms.CharField(label=_("Terms"), widget=forms.Textarea(attrs={"rows": 12}))
    grace_days = forms.IntegerField(label=_("Grace period in days"), min_value=0, max_value=365)


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of obligation"), choices=ObligationKind.choices)
    description = forms.CharField(
        label=_("What is owed, in plain language"), widget=forms.Textarea(attrs={"rows": 3})
    )
    beneficiary = forms.ChoiceField(label=_("Beneficiary"), choices=BeneficiaryKind.choices)
    community = forms.CharField(
        label=_("Community"),
        required=False,
        help_text=_("Required when the beneficiary is a named community."),
    )
    share_percent = forms.CharField(
        label=_("Share of revenue (%)"),
        required=False,
        help_text=_("For a revenue share, e.g. 2.5"),
    )
    amount = forms.CharField(
        label=_("Amount"), required=False, help_text=_("For a fixed payment, e.g. 1500.00")
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCY_CHOICES, initial=DEFAULT_CURRENCY
    )
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    due_date = forms.DateField(
        label=_("Due date (first period when recurring)"), widget=DateInput, validators=[sane_date]
    )
    ends_on = forms.DateField(
        label=_("Last period ends on"),
        required=False,
        validators=[sane_date],
        widget=DateInput,
        help_text=_("Leave empty to recur until the project ends."),
    )
    evidence_expected = forms.CharField(
        label=_("Evidence expected"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ObligationKind.REVENUE_SHARE:
            if not data.get("share_percent"):
                self.add_error("share_percent", _("A revenue share needs its percentage."))
            else:
                try:
                    data["share_basis_points"] = parse_percent(data["share_percent"])
                except ValidationError as exc:
                    self.add_error("share_percent", exc)
        if kind == ObligationKind.FIXED_PAYMENT and data.get("currency"):
            if not data.get("amount"):
                self.add_error("amount", _("A fixed payment needs its amount."))
            else:
                try:
                    data["amount_minor"] = parse_amount(data["amount"], data["currency"])
                except ValidationError as exc:
                    self.add_error("amount", exc)
        if data.get("beneficiary") == BeneficiaryKind.COMMUNITY and not data.get("community"):
            self.add_error("community", _("Name the community that benefits."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "description": data["description"],
            "beneficiary": data["beneficiary"],
            "community": data.get("community", ""),
            "share_basis_points": data.get("share_basis_points"),
            "amount_minor": data.get("amount_minor"),
            "currency": data["currency"],
            "recurrence": data["recurrence"],
            "due_date": data["due_date"],
            "ends_on": data.get("ends_on"),
            "evidence_expected": data.get("evidence_expected", ""),
        }


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    revenue = forms.CharField(
        label=_("Revenue in the period"),
        required=False,
        help_text=_("For a revenue share: the revenue from products built on the data."),
    )
    amount = forms.CharField(label=_("Amount paid"), required=False)
    evidence_link = forms.URLField(
        label=_("Link to evidence"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("PDF, image, Word, OpenDocument or text file."),
    )

    def __init__(self, *args, obligation, **kwargs):
        super().__init__(*args, **kwargs)
        self.obligation = obligation
        currency = obligation.currency
        self.fields["amount"].label = _("Amount paid (%(c)s)") % {"c": currency}
        self.fields["revenue"].label = _("Revenue in the period (%(c)s)") % {"c": currency}
        if obligation.kind != ObligationKind.REVENUE_SHARE or obligation.shortfall_minor:
            # Paying what a short payment left open: the revenue was reported already.
            del self.fields["revenue"]
        if obligation.is_monetary:
            self.fields["amount"].required = True
            if "revenue" in self.fields:
                self.fields["revenue"].required = True

    def _minor(self, name):
        raw = self.cleaned_data.get(name)
        if raw in (None, ""):
            return None
        return parse_amount(raw, self.obligation.currency, allow_zero=True)

    def clean_amount(self):
        return self._minor("amount")

    def clean_revenue(self):
        return self._minor("revenue")

    def clean(self):
        data = super().clean()
        if not self.errors and not (
            data.get("text") or data.get("evidence_link") or data.get("evidence_file")
        ):
            raise ValidationError(
                _("Describe what was done, or give a link or a file as evidence.")
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class FundFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of the ledger

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *TransactionKind.choices]
    )
    source_type = forms.ChoiceField(label=_("Source"), required=False, choices=[])
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=[("", _("All")), *CURRENCY_CHOICES]
    )
    # A typed reference, not a drop-down: there may be a hundred thousand agreements.
    agreement = forms.CharField(
        label=_("Agreement"),
        required=False,
        max_length=20,
        help_text=_("BSA-12, or the project reference"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, source_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import SOURCE_LABELS

        self.fields["source_type"].choices = [("", _("All"))] + [
            (s, SOURCE_LABELS.get(s, s)) for s in source_types
        ]

    def clean_agreement(self):
        """The agreement named by BSA-<number>, its number, or its project's reference."""
        text = self.cleaned_data.get("agreement", "").strip().upper()
        if not text:
            return None
        number = text.removeprefix("BSA-")
        if number.isascii() and number.isdecimal() and len(number) <= 18:
            found = BenefitAgreement.objects.filter(pk=int(number)).first()
        else:
            found = (
                BenefitAgreement.objects.filter(application__reference=text).order_by("-id").first()
            )
        if found is None:
            raise ValidationError(_("No agreement has this number or project reference."))
        return found

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class FundAdjustForm(forms.Form):
    corrects = forms.IntegerField(
        label=_("Entry corrected (number)"), min_value=1, help_text=_("e.g. 12 for FT-12")
    )
    amount = forms.CharField(
        label=_("Change to the balance"),
        help_text=_("Positive adds to the fund, negative takes away; in the entry's currency."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("corrects"):
            entry = FundTransaction.objects.filter(pk=data["corrects"]).first()
            if entry is None:
                self.add_error("corrects", _("There is no ledger entry with this number."))
            else:
                data["entry"] = entry
                if data.get("amount"):
                    try:
                        data["amount_minor"] = parse_amount(
                            data["amount"], entry.currency, allow_negative=True
                        )
                    except ValidationError as exc:
                        self.add_error("amount", exc)
        return data
