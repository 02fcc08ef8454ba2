"""Every state change of the reviews app; one function per change, each audited."""

from .assessments import (
    assessment_file,
    assessment_save_draft,
    evaluate,
    framework_loaded,
    parse_answers,
    risk_item_add,
    risk_item_remove,
    self_assessment_save,
)
from .assignments import (
    assignment_create,
    assignment_recuse,
    assignment_remind_due,
    coi_declare,
)
from .committee import (
    classification_set,
    committee_file_for,
    committee_set_quorum,
    condition_add,
    condition_mark_met,
    condition_report,
    condition_waive,
    decision_record,
    vote_cast,
)
from .conditions import (
    condition_settle,
    conditions_before_activation_missing,
    conditions_check_due,
)
from .frameworks import (
    FrameworkImportError,
    framework_ensure_default,
    framework_import,
    framework_new_version,
    framework_set_default,
    parse_pluto,
)

__all__ = [
    "FrameworkImportError",
    "assessment_file",
    "assessment_save_draft",
    "assignment_create",
    "assignment_recuse",
    "assignment_remind_due",
    "classification_set",
    "coi_declare",
    "committee_file_for",
    "committee_set_quorum",
    "condition_add",
    "condition_mark_met",
    "condition_report",
    "condition_settle",
    "condition_waive",
    "conditions_before_activation_missing",
    "conditions_check_due",
    "decision_record",
    "evaluate",
    "framework_ensure_default",
    "framework_import",
    "framework_loaded",
    "framework_new_version",
    "framework_set_default",
    "parse_answers",
    "parse_pluto",
    "risk_item_add",
    "risk_item_remove",
    "self_assessment_save",
    "vote_cast",
]
