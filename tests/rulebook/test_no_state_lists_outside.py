"""No list of states outside the rulebooks (issue 10: "grep finds no state list outside the
rulebook and the migrations").

Which states a move starts from is declared once, in an app's ``rules.py``. This test reads the
apps' services, permissions, views, API and selectors and fails on a list, tuple or set made
only of states (string values of a state field, or members of a state enum, e.g.
``[AgreementState.SIGNED, AgreementState.IN_FORCE]`` or ``("approved", "active")``), and on any
``_require_state(`` helper. A rule found here belongs in the app's ``rules.py``, as a named
constant or a transition's sources; an entry that cannot move yet goes into ``ALLOWED`` with
its reason (and is removed as soon as it moves: a stale entry fails too).
"""

import ast
from pathlib import Path

from applications.models import ApplicationState, DatasetRequest
from benefits.models import AgreementState, ObligationState, ReportState
from harms.models import HarmReportState, RedressState, SuspensionRecommendation
from reviews.models import AssignmentState, ConditionState
from solidarity.auditing.models import ReportJob

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "applications",
    "reviews",
    "benefits",
    "harms",
    "grants",
    "solidarity/auditing",
    "solidarity/register",
    "solidarity/catalog",
    "solidarity/accounts",
    "solidarity/notifications",
]
KINDS = ["services", "permissions", "views", "api", "selectors", "activation", "home"]
STATE_ENUMS = [
    ApplicationState,
    DatasetRequest.State,
    AgreementState,
    ObligationState,
    ReportState,
    ConditionState,
    AssignmentState,
    ReportJob.State,
    HarmReportState,
    RedressState,
    SuspensionRecommendation.State,
]
STATE_VALUES = {member.value for enum in STATE_ENUMS for member in enum}
STATE_NAMES = {member.name for enum in STATE_ENUMS for member in enum}
# Names a module gives a state enum (``S = ApplicationState``) or reaches it by.
ENUM_SPELLINGS = {enum.__name__ for enum in STATE_ENUMS} | {"S", "R", "A", "O", "J", "C", "State"}

# (file, the expression as written) -> why it is still there.
ALLOWED = {
    ("reviews/api.py", "('approved', 'approved')"): (
        "a decision's outcome (approve/reject) offered as a choice, not a list of states"
    ),
    ("reviews/api.py", "('rejected', 'rejected')"): (
        "a decision's outcome (approve/reject) offered as a choice, not a list of states"
    ),
    ("grants/services/pushes.py", "('delivered', 'failed')"): (
        "a webhook delivery's outcome (delivered/failed/retry), not a declared machine; its "
        "values only coincide with redress states"
    ),
    ("solidarity/register/views.py", "['pending', 'granted', 'declined']"): (
        "the register's published JSON Schema: the custodian decisions it may show"
    ),
}


def _files():
    for app in APPS:
        base = ROOT / app
        for kind in KINDS:
            module = base / f"{kind}.py"
            if module.exists():
                yield module
            package = base / kind
            if package.is_dir():
                yield from sorted(package.glob("*.py"))


def _is_state(node) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in STATE_VALUES
    if isinstance(node, ast.Attribute):
        owner = ast.unparse(node.value).rsplit(".", 1)[-1]
        return node.attr in STATE_NAMES and owner in ENUM_SPELLINGS
    return isinstance(node, ast.Starred)


def _state_lists(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.List | ast.Tuple | ast.Set)
            and node.elts
            and all(_is_state(e) for e in node.elts)
            and not all(isinstance(e, ast.Starred) for e in node.elts)
        ):
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("_require_state"):
            yield node.lineno, "_require_state(...)"


def _found():
    found = {}
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        for line, expression in _state_lists(path):
            found.setdefault((relative, expression), []).append(line)
    return found


def test_no_state_list_outside_the_rulebooks():
    found = _found()
    unexplained = {key: lines for key, lines in found.items() if key not in ALLOWED}
    assert not unexplained, (
        f"Lists of states outside rules.py (declare them in the app's rulebook): {unexplained}"
    )


def test_every_allowed_entry_is_still_needed():
    stale = set(ALLOWED) - set(_found())
    assert not stale, f"Remove these entries from ALLOWED, they are gone: {stale}"


def test_the_guard_finds_what_it_looks_for(tmp_path):
    """The scanner itself: a state list, an enum list and the old helper are found; an
    ordinary list is not."""
    sample = tmp_path / "services.py"
    sample.write_text(
        "X = ['draft', 'submitted']\n"
        "Y = (AgreementState.SIGNED, AgreementState.IN_FORCE)\n"
        "Z = ['state', 'updated_at']\n"
        "_require_state(obj, X, 'moved')\n"
    )
    found = [expression for _line, expression in _state_lists(sample)]
    assert found == [
        "['draft', 'submitted']",
        "(AgreementState.SIGNED, AgreementState.IN_FORCE)",
        "_require_state(...)",
    ]
