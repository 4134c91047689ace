"""Views, API endpoints and admin modules never change data themselves: every change goes through a
service (transaction, lock, state guard and audit event in one place; ARCHITECTURE.md, convention 1)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Where changes must not be written by hand.
PRESENTATION = [
    *sorted((ROOT / "bredvid" / "www").rglob("*.py")),
    *sorted((ROOT / "bredvid" / "api").rglob("*.py")),
    *sorted((ROOT / "bredvid").glob("*/views.py")),  # log-in and the second factor (accounts)
]
COMMANDS = sorted((ROOT / "bredvid").glob("*/management/commands/*.py"))
ADMIN_MODULES = sorted((ROOT / "bredvid").glob("*/admin.py"))

#: ORM calls that write. `save`/`delete` with a positional argument are not the model's (a workbook's
#: `save(buffer)`); `update` with a positional argument is a dict's.
WRITES_WITHOUT_ARGS = {"save", "delete", "update", "create", "get_or_create", "update_or_create"}
WRITES_ALWAYS = {"bulk_create", "bulk_update", "select_for_update"}


def writes_in(source: str) -> list[tuple[int, str]]:
    """(line, method) of every ORM write call in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name in WRITES_ALWAYS or (name in WRITES_WITHOUT_ARGS and not node.args):
            found.append((node.lineno, name))
    return found


def test_views_api_and_admin_write_nothing_themselves() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: .{name}() — call a service in <app>/services.py instead"
        for path in [*PRESENTATION, *ADMIN_MODULES, *COMMANDS]
        for line, name in writes_in(path.read_text())
    ]
    assert problems == [], "\n".join(problems)


def test_the_check_sees_the_usual_ways_of_writing() -> None:
    sample = """
def view(request, case):
    case.status = "closed"
    case.save()
    Case.objects.filter(pk=1).update(status="x")
    Case.objects.create(reference="x")
    obj, _ = Case.objects.get_or_create(reference="x")
    Case.objects.filter(pk=1).delete()
    Case.objects.bulk_create([])
    workbook.save(buffer)
    context.update(other)
"""
    assert [name for _, name in writes_in(sample)] == [
        "save",
        "update",
        "create",
        "get_or_create",
        "delete",
        "bulk_create",
    ]


def test_the_check_reads_every_presentation_module() -> None:
    names = {p.name for p in PRESENTATION}
    assert {"casework_views.py", "supporter_views.py", "casework.py", "views.py"} <= names
    assert len(ADMIN_MODULES) >= 2
    assert {p.name for p in COMMANDS} >= {"import_supporters.py", "dispose_interest_registrations.py"}


LOOKUPS = {"filter", "exclude", "get", "get_object_or_404", "get_list_or_404"}


def municipality_filters_in(source: str) -> list[int]:
    """Lines where a lookup names the municipality itself (`filter(municipality=...)`)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in LOOKUPS and any(
            k.arg and (k.arg == "municipality" or k.arg.startswith(("municipality_", "municipality__")))
            for k in node.keywords
        ):
            lines.append(node.lineno)
    return lines


def test_views_and_api_scope_only_through_the_scoping_point() -> None:
    """`Model.objects.visible_to(tenant)` (or `.in_municipality(...)` for the municipality's own
    reviews) is the one place that filters by municipality (bredvid/tenancy/scoping.py)."""
    problems = [
        f"{path.relative_to(ROOT)}:{line}: filters by municipality by hand — use visible_to(tenant)"
        for path in PRESENTATION
        for line in municipality_filters_in(path.read_text())
    ]
    assert problems == [], "\n".join(problems)


def test_the_scoping_check_sees_hand_written_filters() -> None:
    sample = """
Person.objects.filter(municipality=tenant.municipality)
get_object_or_404(Case, pk=1, municipality_id=m.pk)
Case.objects.exclude(municipality__slug="ale")
services.register_interest(municipality=tenant.municipality)
Person.objects.visible_to(tenant).filter(pk=1)
"""
    assert municipality_filters_in(sample) == [2, 3, 4]


# ---------------------------------------------------------------------------
# One action pattern (docs/adr/0013-staff-action-pattern.md)
# ---------------------------------------------------------------------------
WWW = sorted((ROOT / "bredvid" / "www").rglob("*.py"))
#: Written once, in bredvid/www/staff/actions.py.
SHARED_HELPERS = {"_tenant", "_apply_errors", "_action_page", "_today", "_paginate"}
SHARED_MODULE = ROOT / "bredvid" / "www" / "staff" / "actions.py"
FILE_WIDE_SUPPRESSIONS = re.compile(r"#\s*(ruff:\s*noqa|flake8:\s*noqa|fmt:\s*(skip|off))", re.IGNORECASE)


def _has_lambda(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Lambda) for n in ast.walk(node))


def pattern_problems(source: str, shared_module: bool = False) -> list[str]:
    """Ways around the one action pattern: a second copy of a shared helper, a paginator of one's
    own, a table of actions (lambdas in a module-level value or in a class's field defaults), and
    file-wide suppressions of the formatter or the linter."""
    found = []
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in SHARED_HELPERS:
            found.append(f"{node.lineno}: defines {node.name} — use bredvid/www/staff/actions.py")
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and _has_lambda(node.value)
        ):
            found.append(
                f"{node.lineno}: a module-level table of lambdas — write one view function per action"
            )
        if isinstance(node, ast.ClassDef) and any(
            isinstance(item, ast.AnnAssign) and item.value is not None and _has_lambda(item.value)
            for item in node.body
        ):
            found.append(
                f"{node.lineno}: class {node.name} declares actions as data — one view function each"
            )
    if not shared_module:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Paginator"
            ):
                found.append(f"{node.lineno}: its own Paginator — use actions.paginate")
    for number, line in enumerate(source.splitlines(), 1):
        if FILE_WIDE_SUPPRESSIONS.search(line):
            found.append(f"{number}: {line.strip()} — format the file; fix the line")
    return found


def test_www_follows_the_one_action_pattern() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{problem}"
        for path in WWW
        for problem in pattern_problems(path.read_text(), shared_module=path == SHARED_MODULE)
    ]
    assert problems == [], "\n".join(problems)


def test_the_pattern_check_sees_the_old_ways() -> None:
    sample = """# ruff: noqa: E501
from dataclasses import dataclass

PAGE_SIZE = 50


def _tenant(request):
    return request.tenant


def _apply_errors(form, error):
    pass


@dataclass(frozen=True)
class CaseAction:
    name: str
    allowed: Callable = lambda t, c, o: True


ACTIONS = [
    CaseAction("close", allowed=lambda t, c, o: False),
]  # fmt: skip


def case_list(request):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("sida"))
    return paginator.Paginator(qs, 10)
"""
    lines = sorted(int(problem.split(":")[0]) for problem in pattern_problems(sample))
    assert lines == [1, 7, 11, 16, 21, 23, 27, 28]
    good = """
@permission_required(can_read_cases)
def case_close(request, case_id):
    tenant, case = workable_case(request, case_id)
    return action_page(request, form, run=lambda d: services.close_case(tenant=tenant, case=case, **d))
"""
    assert pattern_problems(good) == []


def test_the_pattern_check_reads_every_www_module() -> None:
    names = {p.name for p in WWW}
    assert {"actions.py", "casework_actions.py", "supporter_actions.py", "matching_views.py"} <= names


# ---------------------------------------------------------------------------
# Services: every public function that writes does it the one way (ADR 0012)
# ---------------------------------------------------------------------------
#: The audit log is the record itself (its services append to it), not a service that changes state.
SERVICE_MODULES = sorted(
    [
        *(p for p in (ROOT / "bredvid").glob("*/services.py") if p.parent.name != "audit"),
        ROOT / "bredvid" / "accounts" / "administration.py",  # the municipality's administration (ADR 0012)
        ROOT / "bredvid" / "casework" / "eservice.py",  # applications from the public e-service
    ]
)
#: ORM calls that only insert new rows: no stored state to guard, so no lock needed.
CREATES = {"create", "get_or_create", "bulk_create"}
LOCKS = {"locked", "select_for_update"}
AUDITS = {"record", "record_for_user_municipalities"}


def _name_of(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_atomic(item: ast.withitem) -> bool:
    expr = item.context_expr
    return isinstance(expr, ast.Call) and _name_of(expr) == "atomic"


class _Function:
    """What one module-level function does: its ORM writes (and whether each is a plain insert or
    inside `transaction.atomic()`), its locks, audit records and calls to the module's functions."""

    def __init__(self, node: ast.FunctionDef, module_functions: set[str]) -> None:
        self.name = node.name
        self.params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        # (line, method, creates only, in atomic, the parameter saved, if the receiver is one)
        self.writes: list[tuple[int, str, bool, bool, str]] = []
        self.calls: list[tuple[str, bool, list[str]]] = []  # (module function, in atomic, argument names)
        self.locks = self.audits = False
        self.new: set[str] = set()  # names bound to a new instance (`Case(...)`, `objects.create(...)`)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call):
                callee = _name_of(sub.value)
                if callee == "create" or callee[:1].isupper():
                    self.new |= {t.id for t in sub.targets if isinstance(t, ast.Name)}
        self._walk(node, False, module_functions)

    def _walk(self, node: ast.AST, atomic: bool, module_functions: set[str]) -> None:
        if isinstance(node, ast.With) and any(_is_atomic(i) for i in node.items):
            atomic = True
        if isinstance(node, ast.Call):
            name = _name_of(node)
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            receiver_name = receiver.id if isinstance(receiver, ast.Name) else ""
            if name in WRITES_ALWAYS - {"select_for_update"} or (
                name in WRITES_WITHOUT_ARGS and not node.args
            ):
                creates = name in CREATES or (name == "save" and receiver_name in self.new)
                param = receiver_name if receiver_name in self.params else ""
                self.writes.append((node.lineno, name, creates, atomic, param))
            self.locks |= name in LOCKS
            self.audits |= name in AUDITS
            if isinstance(node.func, ast.Name) and name in module_functions:
                args = [a.id if isinstance(a, ast.Name) else "" for a in node.args]
                self.calls.append((name, atomic, args))
        for child in ast.iter_child_nodes(node):
            self._walk(child, atomic, module_functions)


def service_problems(source: str) -> list[str]:
    """Public functions of a services module that write without the transaction, the lock or the
    audit event. A module's private helpers (`_audit`, `_name`) count as part of their callers."""
    tree = ast.parse(source)
    nodes = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    names = {n.name for n in nodes}
    functions = {n.name: _Function(n, names) for n in nodes}

    def closure(name: str, seen: set[str]) -> list[_Function]:
        """The function and the module functions it calls, transitively."""
        if name in seen:
            return []
        seen.add(name)
        found = [functions[name]]
        for callee, _atomic, _args in functions[name].calls:
            found += closure(callee, seen)
        return found

    def changes_stored_rows(fn: _Function) -> bool:
        """Does `fn` write anything but new rows? A helper's `save()` of its parameter is an insert
        when the caller passes it a new instance (`_save_validated(Person(...))`)."""
        if any(not creates and not param for _, _, creates, _, param in fn.writes):
            return True
        for callee, _atomic, args in fn.calls:
            helper = functions[callee]
            for _, _, creates, _, param in helper.writes:
                if creates or not param:
                    continue
                index = helper.params.index(param)
                if index >= len(args) or args[index] not in fn.new:
                    return True
            if callee != fn.name and any(changes_stored_rows(functions[c]) for c, *_ in helper.calls):
                return True
        return False

    def writes_outside_atomic(fn: _Function) -> bool:
        """Does calling `fn` write outside a transaction of its own?"""
        return any(not atomic for _, _, _, atomic, _ in fn.writes) or any(
            not atomic and writes_outside_atomic(functions[c]) for c, atomic, _ in fn.calls if c != fn.name
        )

    problems = []
    for fn in functions.values():
        if fn.name.startswith("_"):
            continue
        unit = closure(fn.name, set())
        writes = [w for f in unit for w in f.writes]
        if not writes:
            continue
        if writes_outside_atomic(fn):
            problems.append(f"{fn.name}: writes outside transaction.atomic()")
        if changes_stored_rows(fn) and not any(f.locks for f in unit):
            problems.append(f"{fn.name}: changes stored rows without locked()/select_for_update()")
        if not any(f.audits for f in unit):
            problems.append(f"{fn.name}: writes no audit event (record)")
    return problems


def test_every_service_that_writes_is_atomic_locked_and_audited() -> None:
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in SERVICE_MODULES
        for problem in service_problems(path.read_text())
    ]
    assert problems == [], "\n".join(problems)


def test_the_service_check_reads_every_services_module() -> None:
    assert {p.parent.name for p in SERVICE_MODULES} >= {
        "accounts",
        "assignments",
        "casework",
        "deadlines",
        "matching",
        "people",
        "supporters",
    }


def test_the_service_check_sees_a_service_done_wrong() -> None:
    sample = """
def _audit(tenant, obj):
    record(action="update", tenant=tenant, obj=obj)


def _touch(case):
    case.save()


def _insert(note):
    note.save()


def good_close(*, tenant, case):
    with transaction.atomic():
        locked(case)
        case.status = "closed"
        case.save()
        _audit(tenant, case)


def good_create(*, tenant, case):
    note = Note(case=case)
    with transaction.atomic():
        _insert(note)
        Event.objects.create(case=case)
        _audit(tenant, note)


def saves_outside(*, tenant, case):
    case.save()
    with transaction.atomic():
        locked(case)
        _audit(tenant, case)


def helper_outside(*, tenant, case):
    _touch(case)
    with transaction.atomic():
        locked(case)
        _audit(tenant, case)


def unlocked(*, tenant, case):
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="closed")
        _audit(tenant, case)


def unlocked_helper(*, tenant, case):
    with transaction.atomic():
        _touch(case)
        _audit(tenant, case)


def unaudited(*, tenant, case):
    with transaction.atomic():
        locked(case)
        case.delete()


def reads_only(*, tenant, case):
    return Case.objects.filter(pk=case.pk).first()
"""
    assert service_problems(sample) == [
        "saves_outside: writes outside transaction.atomic()",
        "helper_outside: writes outside transaction.atomic()",
        "unlocked: changes stored rows without locked()/select_for_update()",
        "unlocked_helper: changes stored rows without locked()/select_for_update()",
        "unaudited: writes no audit event (record)",
    ]
