from django.contrib.auth import views as auth_views
from django.shortcuts import render
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from . import throttle
from .forms import ThrottledAuthenticationForm
from .home import panels_for
from .roles import Role


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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


class ThrottledObtainAuthToken(ObtainAuthToken):
    """The API's token endpoint, under the same lockout as the sign-in form."""

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))[:150]
        client = throttle.client_address(request)
        if username and throttle.is_locked(username, client):
            raise exceptions.Throttled(detail=ThrottledAuthenticationForm.error_messages["locked"])
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if username:
                throttle.register_failure(username, client)
            raise exceptions.ValidationError(serializer.errors)
        throttle.reset(username, client)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
