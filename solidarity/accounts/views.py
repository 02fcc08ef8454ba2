import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from solidarity.audit import services as audit
from solidarity.errors import DomainError

from . import mfa
from .forms import LanguageForm, LoginForm
from .home import panels_for
from .language import user_language_set
from .lockout import locked_message
from .roles import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=form.get_user(), action="auth.sign_in", target=form.get_user())
        return response

    def form_invalid(self, form):
        username = str(form.data.get("username", ""))[:150]
        audit.record(actor="", action="auth.sign_in_failed", payload={"username": username})
        return super().form_invalid(form)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("The 6 digits from your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, title=_("QR code to scan"))


@login_required
def mfa_setup(request):
    """Enrol an authenticator app: scan, type the first code, keep the recovery codes."""
    if not mfa.may_change_second_factor(request):
        return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': request.path})}")
    device = None
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_enrolment_confirm(
                actor=request.user,
                request=request,
                device_id=int(request.POST.get("device") or 0),
                token=form.cleaned_data["token"],
            )
        except (DomainError, ValueError) as exc:
            form.add_error("token", getattr(exc, "message", _("Wrong code.")))
            device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        else:
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    if device is None:
        device = mfa.totp_enrolment_start(actor=request.user)
    secret = base64_secret(device)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "device": device,
            "secret": secret,
            "qr": _qr_svg(device.config_url),
            "required": mfa.mfa_required(request.user),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


def base64_secret(device) -> str:
    """The secret as authenticator apps take it when typed (base32, in groups of four)."""
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def mfa_verify(request):
    """The second step of signing in: a code from the authenticator or a recovery code."""
    if not mfa.has_second_factor(request.user):
        return redirect("mfa-setup")
    if not mfa.session_owes_second_factor(request):
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(actor=request.user, request=request, token=form.cleaned_data["token"]):
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("That code is not right, or was already used."))
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
def security(request):
    """The person's own account page: language, the second factor and signing out everywhere."""
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": mfa.has_second_factor(request.user),
            "language_form": LanguageForm(initial={"language": request.user.language}),
        },
    )


@login_required
@require_POST
def account_language(request):
    """Keep the person's language choice; an unknown code re-renders the page with the error."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/security.html",
            {"has_second_factor": mfa.has_second_factor(request.user), "language_form": form},
            status=400,
        )
    code = form.cleaned_data["language"]
    user_language_set(actor=request.user, user=request.user, language=code)
    response = redirect("account-security")
    # The browser's own choice follows, so pages stay in this language after signing out.
    if code:
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    messages.success(request, _("Your language is saved."))
    return response


@login_required
@require_POST
def recovery_codes(request):
    if not mfa.may_change_second_factor(request):
        return redirect("mfa-verify")
    codes = mfa.recovery_codes_regenerate(actor=request.user)
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every session of this person (on every device) and revoke their API token."""
    user = request.user
    with transaction.atomic():
        user.sign_out_everywhere()
        audit.record(actor=user, action="auth.sign_out_everywhere", target=user)
    logout(request)
    return redirect("login")


def home(request):
    """The role-aware home page: each panel shows one part of what is the user's to do.

    Anonymous visitors see the public landing page: what Solidarity does and their ways in."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    role_labels = [(value, label) for value, label in Role.choices if value in request.user.roles]
    return render(
        request,
        "accounts/home.html",
        {"panels": panels_for(request.user), "role_labels": role_labels},
    )


class TokenRequest(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        write_only=True,
        help_text=gettext_lazy(
            "The authenticator code (or a recovery code); required for staff roles and for "
            "anyone who enrolled a second factor."
        ),
    )


class ThrottledObtainAuthToken(ObtainAuthToken):
    """The API's token endpoint, under the same django-axes lockout as the sign-in form."""

    serializer_class = TokenRequest

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # Set by axes' failure handler on the request it was given (this DRF request).
        if getattr(request, "axes_locked_out", False):
            raise exceptions.Throttled(detail=locked_message())
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if mfa.mfa_required(user) or mfa.has_second_factor(user):
            otp = request.data.get("otp") if hasattr(request.data, "get") else None
            if not otp:
                raise exceptions.ValidationError(
                    {"otp": [_("This account needs the code from its authenticator app.")]}
                )
            if not mfa.has_second_factor(user):
                raise exceptions.PermissionDenied(
                    _("Set up a second factor in the web application first.")
                )
            if not mfa.token_matches(user, str(otp)):
                # A wrong code counts as a failed sign-in for the lockout.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=request,
                )
                if getattr(request, "axes_locked_out", False):
                    raise exceptions.Throttled(detail=locked_message())
                raise exceptions.ValidationError({"otp": [_("That code is not right.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
