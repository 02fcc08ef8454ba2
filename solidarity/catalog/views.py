from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from solidarity.pagination import paginate

from . import selectors, services
from .forms import DatasetCreateForm, DatasetFilterForm, DatasetForm
from .models import Dataset
from .permissions import can_manage_dataset


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class DatasetListView(LoginRequiredMixin, View):
    def get(self, request):
        form = DatasetFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.dataset_list(
            search=filters.get("q", ""),
            custodian=filters.get("custodian", ""),
            access_mode=filters.get("access_mode", ""),
        )
        page = paginate(request, qs, 25)
        managed = set(selectors.datasets_managed_by(request.user).values_list("pk", flat=True))
        return render(
            request,
            "catalog/dataset_list.html",
            {
                "form": form,
                "page": page,
                "managed": managed,
                "can_create": selectors.organisations_of(request.user).exists()
                and request.user.has_role("custodian"),
            },
        )


class DatasetDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        dataset = get_object_or_404(Dataset.objects.select_related("custodian"), pk=pk)
        return render(
            request,
            "catalog/dataset_detail.html",
            {"dataset": dataset, "can_manage": can_manage_dataset(request.user, dataset)},
        )


class DatasetCreateView(LoginRequiredMixin, View):
    def _orgs(self, request):
        if not request.user.has_role("custodian"):
            raise PermissionDenied
        orgs = selectors.organisations_of(request.user)
        if not orgs.exists():
            raise PermissionDenied
        return orgs

    def get(self, request):
        form = DatasetCreateForm(organisations=self._orgs(request))
        return render(request, "catalog/dataset_form.html", {"form": form, "creating": True})

    def post(self, request):
        form = DatasetCreateForm(request.POST, organisations=self._orgs(request))
        if form.is_valid():
            data = dict(form.cleaned_data)
            custodian = data.pop("custodian")
            try:
                dataset = services.dataset_create(actor=request.user, custodian=custodian, **data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The dataset was registered."))
                return redirect("catalog:dataset-detail", pk=dataset.pk)
        return render(request, "catalog/dataset_form.html", {"form": form, "creating": True})


class DatasetUpdateView(LoginRequiredMixin, View):
    def _dataset(self, request, pk):
        dataset = get_object_or_404(Dataset.objects.select_related("custodian"), pk=pk)
        if not can_manage_dataset(request.user, dataset):
            raise PermissionDenied
        return dataset

    def get(self, request, pk):
        dataset = self._dataset(request, pk)
        form = DatasetForm(instance=dataset)
        return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})

    def post(self, request, pk):
        dataset = self._dataset(request, pk)
        form = DatasetForm(request.POST, instance=Dataset.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.dataset_update(actor=request.user, dataset=dataset, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The dataset was updated."))
                return redirect("catalog:dataset-detail", pk=dataset.pk)
        return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})
