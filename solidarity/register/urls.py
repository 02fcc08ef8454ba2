from django.urls import path

from . import views
from .feeds import RegisterFeed

app_name = "register"
urlpatterns = [
    path("", views.register_list, name="list"),
    path("register.csv", views.register_csv, name="csv"),
    path("register.json", views.register_json, name="json"),
    path("register.pdf", views.register_pdf, name="pdf"),
    path("feed/", RegisterFeed(), name="feed"),
    path("fund/", views.register_fund, name="fund"),
    path("harms.csv", views.register_harms_csv, name="harms_csv"),
    path("schema.json", views.register_schema, name="schema"),
    path("<str:reference>/", views.register_detail, name="detail"),
    path("<str:reference>/entry.pdf", views.register_entry_pdf, name="entry_pdf"),
]
