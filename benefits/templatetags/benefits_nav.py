from django import template

from solidarity.held_cache import tolerant as cache

register = template.Library()

NAV_CACHE_SECONDS = 600


def nav_cache_key(user_id: int) -> str:
    return f"benefits:has-agreements:{user_id}"


@register.simple_tag
def has_benefit_agreements(user) -> bool:
    """Whether a researcher has an agreement to show in the menu.

    Cached, so the menu adds no database query to every page; drafting an agreement clears
    the applicant's entry (``agreement_draft``).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    key = nav_cache_key(user.pk)
    cached = cache.get(key)
    if cached is None:
        from benefits.models import BenefitAgreement

        cached = BenefitAgreement.objects.filter(application__applicant=user).exists()
        cache.set(key, cached, NAV_CACHE_SECONDS)
    return cached
