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
]
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
        for path in [*PRESENTATION, *ADMIN_MODULES]
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
    assert {"casework_views.py", "supporter_views.py", "casework.py"} <= names
    assert len(ADMIN_MODULES) >= 2


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
