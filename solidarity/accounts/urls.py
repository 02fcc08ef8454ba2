from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django_otp_webauthn.urls import urlpatterns as _webauthn_urls

from . import views, webauthn

# django-otp-webauthn's endpoints (under /accounts/mfa/, reachable before the second factor;
# registration itself refuses a session that has not passed an existing factor).
_completion = {
    "credential-registration-complete": webauthn.CompleteRegistration,
    "credential-authentication-complete": webauthn.CompleteAuthentication,
}
webauthn_urlpatterns = (
    [
        path(str(p.pattern), _completion[p.name].as_view(), name=p.name)
        if p.name in _completion
        else p
        for p in _webauthn_urls
    ],
    "otp_webauthn",
)

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("mfa/recovery-codes/", views.recovery_codes, name="mfa-recovery-codes"),
    path("security/", views.security, name="account-security"),
    path("language/", views.account_language, name="account-language"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
