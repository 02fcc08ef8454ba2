from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .duo import DataUse, DataUseModifier


class AccessMode(models.TextChoices):
    FEDERATED = "federated", _("Federated analysis (the code goes to the data)")
    TRUSTED_ENVIRONMENT = "trusted_environment", _("Trusted research environment")
    TRANSFER = "transfer", _("Transfer of a copy")


class OrganisationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    HOSPITAL = "hospital", _("Hospital")
    PUBLIC_AUTHORITY = "public_authority", _("Public authority")
    COMPANY = "company", _("Company")
    NGO = "ngo", _("NGO")
    COMMUNITY = "community", _("Community organisation")


class Organisation(models.Model):
    Kind = OrganisationKind

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. AT.")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)

    def clean(self):
        if not (len(self.country) == 2 and self.country.isalpha() and self.country.isupper()):
            raise ValidationError({"country": _("Use a two-letter upper-case ISO code, e.g. AT.")})

    @property
    def custodian_group_name(self) -> str:
        return f"org:{self.pk}:members"


class Sensitivity(models.TextChoices):
    LOW = "low", _("Low: aggregated or anonymised")
    MODERATE = "moderate", _("Moderate: pseudonymised")
    HIGH = "high", _("High: identifiable health data")
    SPECIAL = "special", _("Special: genomic or highly stigmatising")


class Dataset(models.Model):
    Sensitivity = Sensitivity

    custodian = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("custodian")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    population = models.TextField(_("population"), help_text=_("Whose data this is."))
    communities = models.TextField(
        _("communities concerned"),
        blank=True,
        help_text=_("Groups and communities who may be affected by uses of these data."),
    )
    sensitivity = models.CharField(_("sensitivity"), max_length=20, choices=Sensitivity.choices)
    access_modes = models.JSONField(_("allowed access modes"), default=list)
    consent_use = models.CharField(
        _("consented use"), max_length=20, choices=DataUse.choices, default=DataUse.HMB
    )
    consent_modifiers = models.JSONField(_("consent restrictions"), default=list, blank=True)
    consent_disease = models.CharField(
        _("disease (for disease-specific consent)"), max_length=200, blank=True
    )
    consent_regions = models.CharField(
        _("regions allowed (for geographic restriction)"),
        max_length=200,
        blank=True,
        help_text=_("ISO country codes, comma-separated."),
    )
    is_active = models.BooleanField(_("open to applications"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        permissions = [("manage_dataset", _("Can manage this dataset as its custodian"))]
        constraints = [
            models.UniqueConstraint(
                fields=["custodian", "title"], name="dataset_title_per_custodian"
            ),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values),
                name="dataset_sensitivity_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        modes = self.access_modes or []
        if not modes:
            errors["access_modes"] = _("Allow at least one access mode.")
        elif set(modes) - set(AccessMode.values):
            errors["access_modes"] = _("Unknown access mode.")
        if set(self.consent_modifiers or []) - set(DataUseModifier.values):
            errors["consent_modifiers"] = _("Unknown consent restriction.")
        if self.consent_use == DataUse.DS and not self.consent_disease:
            errors["consent_disease"] = _("Name the disease for disease-specific consent.")
        if DataUseModifier.GS in (self.consent_modifiers or []) and not self.consent_regions:
            errors["consent_regions"] = _("Name the regions for a geographic restriction.")
        if errors:
            raise ValidationError(errors)

    def get_access_modes_display(self) -> list[str]:
        labels = dict(AccessMode.choices)
        return [labels.get(m, m) for m in self.access_modes]

    def get_consent_modifiers_display(self) -> list[str]:
        labels = dict(DataUseModifier.choices)
        return [labels.get(m, m) for m in self.consent_modifiers]
