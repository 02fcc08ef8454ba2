"""Demo data for the embedded default: organisations, datasets and one user per role.

Idempotent: running it again changes nothing that is already there. Other apps add their own
demo data through the ``solidarity.accounts.demo`` registry.
"""

import base64

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, run_seeders
from solidarity.accounts.mfa import mfa_required
from solidarity.accounts.models import User
from solidarity.catalog import services as catalog
from solidarity.catalog.duo import DataUse, DataUseModifier
from solidarity.catalog.models import Dataset, Organisation

ORGANISATIONS = [
    ("Vienna General Hospital", "AT", "hospital"),
    ("University of Vienna", "AT", "university"),
    ("Lyon Public Health Registry", "FR", "public_authority"),
    ("Helix Analytics GmbH", "DE", "company"),
    ("Patients' Voice Association", "AT", "community"),
]

DATASETS = [
    {
        "custodian": "Vienna General Hospital",
        "title": "Diabetes outpatient records 2015-2024",
        "description": "Pseudonymised outpatient records of adults treated for type 2 diabetes.",
        "population": "Adults treated in the hospital's diabetes clinic.",
        "communities": "People living with diabetes; migrant communities in Vienna.",
        "sensitivity": "high",
        "access_modes": ["federated", "trusted_environment"],
        "consent_use": DataUse.HMB,
        "consent_modifiers": [DataUseModifier.IRB],
    },
    {
        "custodian": "Lyon Public Health Registry",
        "title": "Regional cancer registry",
        "description": "Incidence, treatment and survival of cancer patients in the region.",
        "population": "All residents diagnosed with cancer since 2000.",
        "communities": "Cancer patients and survivors.",
        "sensitivity": "high",
        "access_modes": ["federated"],
        "consent_use": DataUse.DS,
        "consent_disease": "cancer",
        "consent_modifiers": [DataUseModifier.NCU, DataUseModifier.GS],
        "consent_regions": "FR, AT, DE",
    },
    {
        "custodian": "Vienna General Hospital",
        "title": "Aggregated emergency admissions",
        "description": "Weekly counts of emergency admissions by cause and age band.",
        "population": "All emergency admissions.",
        "communities": "",
        "sensitivity": "low",
        "access_modes": ["federated", "trusted_environment", "transfer"],
        "consent_use": DataUse.GRU,
        "consent_modifiers": [],
    },
]


class Command(BaseCommand):
    help = "Create demo organisations, datasets and one user per role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        orgs = {}
        for name, country, kind in ORGANISATIONS:
            org = Organisation.objects.filter(name=name).first()
            if org is None:
                org = catalog.organisation_create(actor=None, name=name, country=country, kind=kind)
            orgs[name] = org

        users = {}
        for spec in DEMO_USERS:
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                user = User.objects.create_user(
                    username=spec["username"],
                    email=f"{spec['username']}@demo.solidarity.local",
                    password=DEMO_PASSWORD,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                )
                user.groups.add(*(Group.objects.get_or_create(name=r)[0] for r in spec["roles"]))
            if spec.get("organisation"):
                catalog.membership_add(
                    actor=None, user=user, organisation=orgs[spec["organisation"]]
                )
            users[spec["username"]] = user
            if mfa_required(user) and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(
                    user=user,
                    name="Demo authenticator",
                    key=base64.b32decode(DEMO_TOTP_SECRET).hex(),
                    confirmed=True,
                )

        for spec in DATASETS:
            spec = dict(spec)
            custodian = orgs[spec.pop("custodian")]
            if not Dataset.objects.filter(custodian=custodian, title=spec["title"]).exists():
                catalog.dataset_create(actor=None, custodian=custodian, **spec)

        run_seeders(users=users, organisations=orgs, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password: {DEMO_PASSWORD}"))
        self.stdout.write(
            f"Staff accounts ask for a second factor: add the key {DEMO_TOTP_SECRET} to an "
            "authenticator app (demo data only)."
        )
