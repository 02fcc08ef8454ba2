"""Demo accounts and the registry through which each app adds its own demo data."""

from collections.abc import Callable

DEMO_PASSWORD = "solidarity-demo"
# The demo's staff accounts share this authenticator key (base32, as apps take it), so a
# demo can be signed into with any authenticator app. Demo data only: seed_demo prints it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEMO_USERS = [
    {
        "username": "researcher",
        "first_name": "Rosa",
        "last_name": "Researcher",
        "roles": ["researcher"],
        "organisation": "University of Vienna",
    },
    {
        "username": "researcher2",
        "first_name": "Rafael",
        "last_name": "Researcher",
        "roles": ["researcher"],
        "organisation": "Helix Analytics GmbH",
    },
    {
        "username": "custodian",
        "first_name": "Carla",
        "last_name": "Custodian",
        "roles": ["custodian"],
        "organisation": "Vienna General Hospital",
    },
    {
        "username": "custodian2",
        "first_name": "Claude",
        "last_name": "Custodian",
        "roles": ["custodian"],
        "organisation": "Lyon Public Health Registry",
    },
    {
        "username": "secretariat",
        "first_name": "Sami",
        "last_name": "Secretariat",
        "roles": ["secretariat"],
    },
    {"username": "reviewer", "first_name": "Rita", "last_name": "Reviewer", "roles": ["reviewer"]},
    {"username": "reviewer2", "first_name": "Ravi", "last_name": "Reviewer", "roles": ["reviewer"]},
    {"username": "chair", "first_name": "Chiara", "last_name": "Chair", "roles": ["chair"]},
    {
        "username": "harm_officer",
        "first_name": "Hana",
        "last_name": "Harm-Officer",
        "roles": ["harm_officer"],
    },
    {
        "username": "benefit_officer",
        "first_name": "Ben",
        "last_name": "Benefit-Officer",
        "roles": ["benefit_officer"],
    },
    {"username": "auditor", "first_name": "Aude", "last_name": "Auditor", "roles": ["auditor"]},
]

_seeders: list[Callable] = []


def register_seeder(seeder: Callable) -> Callable:
    """Apps add demo data after the kernel's; each seeder must be idempotent."""
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def run_seeders(**kwargs) -> None:
    for seeder in _seeders:
        seeder(**kwargs)
