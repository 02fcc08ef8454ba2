"""factory_boy factories shared by every test folder."""

import factory
from django.contrib.auth.models import Group

from solidarity.accounts.models import User
from solidarity.catalog import services as catalog_services
from solidarity.catalog.models import Dataset, Organisation

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test's flush removes the migration's groups.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))
        if create:
            self.save()

    @classmethod
    def member_of(cls, organisation, **kwargs):
        user = cls(**kwargs)
        catalog_services.membership_add(actor=None, user=user, organisation=organisation)
        return user


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    country = "AT"
    kind = "hospital"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalog_services.organisation_create(actor=None, **kwargs)


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    custodian = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Dataset {n}")
    description = "Pseudonymised records."
    population = "Adults treated in the clinic."
    communities = "Patients."
    sensitivity = "high"
    access_modes = factory.LazyFunction(lambda: ["federated", "trusted_environment"])
    consent_use = "DUO:0000006"
    consent_modifiers = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalog_services.dataset_create(actor=None, **kwargs)
