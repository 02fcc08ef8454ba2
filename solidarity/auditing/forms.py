from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ReportKind


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"))
    application = forms.CharField(
        label=_("Application reference (for a dossier)"), required=False, max_length=20
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    archival = forms.BooleanField(label=_("Archival PDF/A"), required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportKind.DOSSIER:
            reference = (data.get("application") or "").strip().upper()
            if not reference:
                self.add_error("application", _("Name the application, e.g. DSA-2026-0001."))
            else:
                from .builders import dossier_application

                if dossier_application(reference) is None:
                    self.add_error(
                        "application",
                        _("No submitted application has the reference %(ref)s.")
                        % {"ref": reference},
                    )
                else:
                    data["application"] = reference
        elif kind:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Give the first day of the period."))
            if not end:
                self.add_error("end", _("Give the last day of the period."))
            if start and end and end < start:
                self.add_error("end", _("The period ends before it starts."))
            if end and end > timezone.localdate():
                self.add_error("end", _("The period cannot end in the future."))
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == ReportKind.DOSSIER:
            return {"application": data["application"].strip()}
        return {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
