from django.urls import path

from . import views

app_name = "auditing"
urlpatterns = [
    path("", views.audit_console, name="console"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/rebuild/", views.report_rebuild, name="report-rebuild"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
]
