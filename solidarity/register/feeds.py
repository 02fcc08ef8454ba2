"""Atom feed of new and changed register entries: the same public fields as the register page
(title, plain-language summary, state, type, organisations, datasets), never a person."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors


class RegisterFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Solidarity: public register of data uses")

    def subtitle(self):
        return _("Approved uses of health data, new and changed")

    def link(self):
        return reverse("register:list")

    def feed_url(self):
        return reverse("register:feed")

    def items(self):
        return selectors.register_feed_items()

    def item_title(self, item):
        entry = item[0]
        return f"{entry.reference}: {entry.title}"

    def item_description(self, item):
        entry = item[0]
        parts = [
            entry.lay_summary,
            _("State: %(state)s.") % {"state": entry.state_label},
            _("Type: %(type)s.") % {"type": entry.use_type or _("not set")},
            _("Organisations: %(names)s.")
            % {"names": "; ".join(o["name"] for o in entry.organisations)},
            _("Datasets: %(titles)s.")
            % {
                "titles": "; ".join(
                    f"{d['title']}: {d['access_mode_label']}" for d in entry.datasets
                )
            },
        ]
        return "\n".join(parts)

    def item_link(self, item):
        return reverse("register:detail", args=[item[0].reference])

    def item_guid(self, item):
        return reverse("register:detail", args=[item[0].reference])

    def item_updateddate(self, item):
        return item[1]

    def item_pubdate(self, item):
        return item[2]

    def item_categories(self, item):
        entry = item[0]
        return [c for c in (entry.state, entry.use_type and f"type-{entry.use_type}") if c]
