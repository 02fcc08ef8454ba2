"""GA4GH Data Use Ontology (DUO) terms used for consent restrictions and research purposes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataUse(models.TextChoices):
    """Permission terms (what the consent allows as a base)."""

    GRU = "DUO:0000042", _("General research use")
    HMB = "DUO:0000006", _("Health, medical or biomedical research")
    DS = "DUO:0000007", _("Disease-specific research")
    POA = "DUO:0000011", _("Population origins or ancestry research only")
    NRES = "DUO:0000004", _("No restriction")


class DataUseModifier(models.TextChoices):
    """Modifier terms (further conditions on use)."""

    NCU = "DUO:0000046", _("Non-commercial use only")
    NPU = "DUO:0000045", _("Not-for-profit organisation use only")
    IRB = "DUO:0000021", _("Ethics approval required")
    COL = "DUO:0000020", _("Collaboration required")
    GS = "DUO:0000022", _("Geographical restriction")
    NMDS = "DUO:0000015", _("No general methods research")
    PUB = "DUO:0000019", _("Publication required")
    RTN = "DUO:0000029", _("Return to database or resource")
    TS = "DUO:0000025", _("Time limit on use")
