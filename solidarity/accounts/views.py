from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from .forms import LoginForm
from .home import panels_for
from .lockout import locked_message
from .roles import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """The role-aware home page: each panel shows one part of what is the user's to do."""
    role_labels = [(value, label) for value, label in Role.choices if value in request.user.roles]
    return render(
        request,
        "accounts/home.html",
        {"panels": panels_for(request.user), "role_labels": role_labels},
    )


class ThrottledObtainAuthToken(ObtainAuthToken):
    """The API's token endpoint, under the same django-axes lockout as the sign-in form."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # Set by axes' failure handler on the request it was given (this DRF request).
        if getattr(request, "axes_locked_out", False):
            raise exceptions.Throttled(detail=locked_message())
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
