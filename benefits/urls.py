from django.urls import path

from . import views

app_name = "benefits"
urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/new/", views.AgreementDraftView.as_view(), name="agreement-draft"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.AgreementEditView.as_view(), name="agreement-edit"),
    path(
        "agreements/<int:pk>/propose/",
        views.AgreementProposeView.as_view(),
        name="agreement-propose",
    ),
    path("agreements/<int:pk>/sign/", views.AgreementSignView.as_view(), name="agreement-sign"),
    path(
        "agreements/<int:pk>/reopen/", views.AgreementReopenView.as_view(), name="agreement-reopen"
    ),
    path(
        "agreements/<int:pk>/terminate/",
        views.AgreementTerminateView.as_view(),
        name="agreement-terminate",
    ),
    path(
        "agreements/<int:pk>/suspend-project/",
        views.AgreementSuspendProjectView.as_view(),
        name="agreement-suspend-project",
    ),
    path(
        "agreements/<int:pk>/obligations/new/",
        views.ObligationAddView.as_view(),
        name="obligation-add",
    ),
    path(
        "obligations/<int:pk>/report/",
        views.ObligationReportView.as_view(),
        name="obligation-report",
    ),
    path(
        "obligations/<int:pk>/verify/",
        views.ObligationVerifyView.as_view(),
        name="obligation-verify",
    ),
    path(
        "obligations/<int:pk>/reject/",
        views.ObligationRejectView.as_view(),
        name="obligation-reject",
    ),
    path(
        "obligations/<int:pk>/waive/", views.ObligationWaiveView.as_view(), name="obligation-waive"
    ),
    path(
        "obligations/<int:pk>/remove/",
        views.ObligationRemoveView.as_view(),
        name="obligation-remove",
    ),
    path("reports/<int:pk>/evidence/", views.EvidenceView.as_view(), name="report-evidence"),
    path("fund/", views.FundView.as_view(), name="fund"),
    path("fund/export.csv", views.FundCsvView.as_view(), name="fund-csv"),
    path("fund/adjust/", views.FundAdjustView.as_view(), name="fund-adjust"),
]
