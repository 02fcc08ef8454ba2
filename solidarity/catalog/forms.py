from django import forms
from django.utils.translation import gettext_lazy as _

from .duo import DataUseModifier
from .models import AccessMode, Dataset, Organisation


class DatasetForm(forms.ModelForm):
    access_modes = forms.MultipleChoiceField(
        label=_("Allowed access modes"),
        choices=AccessMode.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Federated analysis keeps the data with you and is preferred."),
    )
    consent_modifiers = forms.MultipleChoiceField(
        label=_("Consent restrictions"),
        choices=DataUseModifier.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Dataset
        fields = [
            "title",
            "description",
            "population",
            "communities",
            "sensitivity",
            "access_modes",
            "consent_use",
            "consent_modifiers",
            "consent_disease",
            "consent_regions",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "population": forms.Textarea(attrs={"rows": 2}),
            "communities": forms.Textarea(attrs={"rows": 2}),
        }


class DatasetCreateForm(DatasetForm):
    custodian = forms.ModelChoiceField(label=_("Custodian"), queryset=Organisation.objects.none())

    class Meta(DatasetForm.Meta):
        fields = ["custodian", *DatasetForm.Meta.fields]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = organisations


class DatasetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    custodian = forms.ChoiceField(label=_("Custodian"), required=False)
    access_mode = forms.ChoiceField(
        label=_("Access mode"), required=False, choices=[("", _("Any")), *AccessMode.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(datasets__isnull=False).distinct().order_by("name")
        self.fields["custodian"].choices = [("", _("Any"))] + [(o.slug, o.name) for o in orgs]
