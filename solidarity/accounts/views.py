from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .forms import ThrottledAuthenticationForm
from .home import panels_for
from .roles import Role


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
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
