"""Forms of the committee's pages. Framework answers are built from the framework itself."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import User
from solidarity.accounts.roles import Role
from solidarity.form_renderer import QUICK_RENDERER, ListedChoiceIterator

from .framework_texts import framework_text
from .models import (
    ConditionKind,
    ReviewerRole,
    RiskBearer,
    RiskCategory,
    UseType,
    VoteChoice,
)
from .services.assessments import OTHER_KINDS, OTHER_TEXT_MAX

SCALE = [(i, str(i)) for i in range(1, 6)]


def _other_label(question) -> str:
    """The text of the question's “Other …” choice (e.g. “None of the above (please specify)”)."""
    for choice in question.choices.all():
        if choice.kind in OTHER_KINDS:
            return framework_text(choice.text)
    return ""


class FrameworkAnswersForm(forms.Form):
    """One field per question: radio buttons for a single pick, checkboxes for several.

    Field names are ``q_<question id>``; ``answers()`` returns {question id: [choice ids]}.
    A question with an “Other (please specify)” choice also gets a text box ``q_<id>_other``
    (``other_answers()``), required when that choice is picked.
    Bounds and exclusive choices are checked by the service, whose messages come back per field.
    """

    comments = forms.CharField(
        label=_("Comments for the committee"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, framework, with_comments=True, require_other=False, **kwargs):
        initial_answers = kwargs.pop("answers", None) or {}
        initial_other = kwargs.pop("other_texts", None) or {}
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.require_other = require_other
        self.groups = []
        comments = self.fields.pop("comments")
        for group in framework.groups.all():
            names = []
            for question in group.questions.all():
                name = f"q_{question.pk}"
                choices = [(str(c.pk), framework_text(c.text)) for c in question.choices.all()]
                label = f"{question.label}. {framework_text(question.text)}"
                # Texts of the bundled questionnaire that the project reworded are translated.
                help_text = framework_text(question.explanation)
                if question.max_select > 1:
                    help_text = _("Tick %(min)s to %(max)s.") % {
                        "min": question.min_select,
                        "max": question.max_select,
                    } + (" " + help_text if help_text else "")
                    field = forms.MultipleChoiceField(
                        label=label,
                        choices=choices,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                        help_text=help_text,
                    )
                    initial = [str(c) for c in initial_answers.get(question.pk, [])]
                else:
                    field = forms.ChoiceField(
                        label=label,
                        choices=choices,
                        required=False,
                        widget=forms.RadioSelect,
                        help_text=help_text,
                    )
                    picked = initial_answers.get(question.pk, [])
                    initial = str(picked[0]) if picked else None
                field.question = question
                field.other_name = None
                self.fields[name] = field
                self.initial.setdefault(name, initial)
                names.append(name)
                other_ids = [str(c.pk) for c in question.choices.all() if c.kind in OTHER_KINDS]
                if other_ids:
                    field.other_name = f"{name}_other"
                    other = forms.CharField(
                        label=(
                            _("If you chose “%(choice)s”, please specify")
                            if require_other
                            else _("If you chose “%(choice)s”, what you mean (optional)")
                        )
                        % {"choice": _other_label(question)},
                        required=False,
                        max_length=OTHER_TEXT_MAX,
                        widget=forms.Textarea(attrs={"rows": 2}),
                    )
                    other.other_ids = other_ids
                    other.question = question
                    self.fields[field.other_name] = other
                    self.initial.setdefault(field.other_name, initial_other.get(question.pk, ""))
            self.groups.append((group, names))
        if with_comments:
            self.fields["comments"] = comments

    def grouped(self):
        """Per group, its questions' bound fields; each has ``other`` (the text box or None)."""
        for group, names in self.groups:
            fields = []
            for name in names:
                bound = self[name]
                other_name = self.fields[name].other_name
                bound.other = self[other_name] if other_name else None
                fields.append(bound)
            yield group, fields

    def clean(self):
        data = super().clean()
        if not self.require_other:
            return data
        for name, field in self.fields.items():
            if not name.endswith("_other"):
                continue
            picked = data.get(name.removesuffix("_other"))
            picked = picked if isinstance(picked, list) else [picked] if picked else []
            if set(picked) & set(field.other_ids) and not (data.get(name) or "").strip():
                self.add_error(name, _("Please say what you mean by this answer."))
        return data

    def other_answers(self) -> dict[int, str]:
        """{question id: text} for the “please specify” boxes that were filled in."""
        return {
            int(name[2:].removesuffix("_other")): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and name.endswith("_other") and (value or "").strip()
        }

    def answers(self) -> dict[int, list[int]]:
        result = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("q_") or name.endswith("_other"):
                continue
            values = value if isinstance(value, list) else [value] if value else []
            if values:
                result[int(name[2:])] = [int(v) for v in values]
        return result

    def add_service_errors(self, field_errors: dict) -> None:
        for key, messages in field_errors.items():
            if key.startswith("answers."):
                name = f"q_{key.split('.', 1)[1]}"
                self.add_error(name if name in self.fields else None, messages)
            elif key.startswith("other."):
                name = f"q_{key.split('.', 1)[1]}_other"
                self.add_error(name if name in self.fields else None, messages)
            else:
                self.add_error(key if key in self.fields else None, messages)


def committee_members():
    return (
        User.objects.filter(groups__name__in=[Role.REVIEWER, Role.CHAIR], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class AssignmentForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of its page

    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())
    reviewer.iterator = ListedChoiceIterator  # one plain query, not a server-side cursor
    role = forms.ChoiceField(label=_("Role on the committee"), choices=ReviewerRole.choices)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = committee_members()
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date must be today or later."))
        return due_on


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    details = forms.CharField(
        label=_("If yes, describe the conflict"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Personal, financial or professional ties to the applicants or the project."),
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("details") or "").strip():
            self.add_error("details", _("Describe the conflict."))
        return data


class RecuseForm(forms.Form):
    details = forms.CharField(
        label=_("The conflict of interest you found"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskItemForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    borne_by = forms.ChoiceField(label=_("Borne by"), choices=RiskBearer.choices)
    description = forms.CharField(label=_("Risk"), widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood before mitigation (1-5)"), choices=SCALE, coerce=int
    )
    severity = forms.TypedChoiceField(
        label=_("Severity before mitigation (1-5)"), choices=SCALE, coerce=int
    )
    mitigation = forms.CharField(
        label=_("Mitigation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    residual_likelihood = forms.TypedChoiceField(
        label=_("Likelihood after mitigation (1-5)"), choices=SCALE, coerce=int
    )
    residual_severity = forms.TypedChoiceField(
        label=_("Severity after mitigation (1-5)"), choices=SCALE, coerce=int
    )


class VoteForm(forms.Form):
    prefix = "vote"

    voter = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none(), required=False)
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["voter"]
        else:
            self.fields["voter"].queryset = members
            self.fields["voter"].help_text = _("Leave empty to record your own vote.")
            self.fields["voter"].label_from_instance = lambda u: u.get_full_name() or u.username


class QuorumForm(forms.Form):
    prefix = "quorum"

    quorum = forms.IntegerField(label=_("Quorum (votes needed)"), min_value=1, max_value=50)


class ClassificationForm(forms.Form):
    prefix = "classify"

    use_type = forms.ChoiceField(
        label=_("Type"),
        choices=[c for c in UseType.choices if c[0] != UseType.MIXED],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the type differs from the computed one."),
    )


class DecisionForm(forms.Form):
    prefix = "decide"

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approved", _("Approve")), ("rejected", _("Reject"))],
        widget=forms.RadioSelect,
    )
    access_expires_on = forms.DateField(
        label=_("Access expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required to approve."),
    )
    reason = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ConditionForm(forms.Form):
    prefix = "condition"

    kind = forms.ChoiceField(label=_("Kind"), choices=ConditionKind.choices)
    risk = forms.TypedChoiceField(
        label=_("Risk mitigated"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(label=_("Condition"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, risks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.risks = {r.pk: r for r in risks}
        self.fields["risk"].choices = [("", _("None"))] + [
            (r.pk, f"{r.get_category_display()} ({r.residual_score}): {r.description[:60]}")
            for r in risks
        ]

    def clean_risk(self):
        pk = self.cleaned_data.get("risk")
        return self.risks.get(pk) if pk else None


class ConditionReportForm(forms.Form):
    report = forms.CharField(label=_("Your report"), widget=forms.Textarea(attrs={"rows": 4}))


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for waiving"), widget=forms.Textarea(attrs={"rows": 2})
    )


class QueueFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # drawn on every request of its page

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("submitted", _("Submitted")),
            ("in_review", _("In review")),
            ("awaiting_decision", _("Awaiting decision")),
        ],
    )
    use_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *UseType.choices]
    )
