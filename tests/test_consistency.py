"""Model consistency: personal data is declared, carries its municipality, is scoped and never cascades.

Each rule is a function from a model class to a list of problems; the first tests run them over
every model, the later ones show that each rule fails on a deliberately wrong model (defined in an
isolated app registry, so nothing leaks into the project's models).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from bredvid.audit.models import AuditEvent
from bredvid.core.models import BaseModel
from bredvid.people.models import Person

#: Personal-data models that have no `visible_to` of their own. Each is only ever reached through
#: an object that was itself loaded with `visible_to`; add an entry only with that justification.
NO_VISIBLE_TO = {
    # Staff named on a protected person: read as `person.staff_access` after the person was loaded
    # through Person.objects.visible_to; written only by people.services (set_named_staff, and
    # create_person/update_person naming whoever registers or marks the person protected).
    "people.PersonStaffAccess",
    # Guardians of a child: read as `Guardianship.objects.filter(child=<scoped person or case
    # client>)`; written only by people.services.add_guardian for a scoped child and guardian.
    "people.Guardianship",
}


def _bredvid_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith("bredvid.")]


def _holds_personal_data(model: Any) -> bool:
    if isinstance(model, str):
        model = apps.get_model(model)
    return getattr(model, "holds_personal_data", False) is True


def _target(field: models.Field) -> Any:
    target = field.remote_field.model  # type: ignore[union-attr]
    if isinstance(target, str):  # unresolved in an isolated registry: look it up in the project's
        target = apps.get_model(target)
    return target


# ---------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------
def check_declares_personal_data(model: type[models.Model]) -> list[str]:
    """`holds_personal_data = True/False` on the model (or an abstract parent other than BaseModel)."""
    for klass in model.__mro__:
        if klass is BaseModel or klass is models.Model:
            break
        if "holds_personal_data" in vars(klass):
            value = vars(klass)["holds_personal_data"]
            if isinstance(value, bool):
                return []
            return [f"{model._meta.label}: holds_personal_data must be True or False, not {value!r}"]
    return [
        f"{model._meta.label}: declare `holds_personal_data = True` or `False` on the class "
        "(True for data about clients, supporters or the public)"
    ]


def check_personal_data_is_scoped(model: type[models.Model]) -> list[str]:
    """Personal data carries its municipality and is read through `visible_to(tenant)`."""
    if not _holds_personal_data(model):
        return []
    label = model._meta.label
    problems = []
    try:
        field = model._meta.get_field("municipality")
    except Exception:
        field = None
    if (
        field is None
        or not isinstance(field, models.ForeignKey)
        or _target(field)._meta.label != "tenancy.Municipality"
    ):
        problems.append(f"{label}: personal data needs a `municipality` ForeignKey to tenancy.Municipality")
    manager = model._default_manager
    if not callable(getattr(manager, "visible_to", None)) and label not in NO_VISIBLE_TO:
        problems.append(
            f"{label}: its default manager needs `visible_to(tenant)` (a QuerySet.as_manager()), "
            "or a justified entry in NO_VISIBLE_TO in tests/test_consistency.py"
        )
    return problems


def check_protect(model: type[models.Model]) -> list[str]:
    """FKs to personal data, and every FK of personal data, refuse deletion (PROTECT)."""
    problems = []
    personal = _holds_personal_data(model)
    for field in model._meta.get_fields(include_hidden=True):
        if not field.concrete or not (field.many_to_one or field.one_to_one):
            continue  # reverse relations are not concrete; M2M: check_no_implicit_through
        target = _target(field)  # type: ignore[arg-type]
        if not (personal or _holds_personal_data(target)):
            continue
        on_delete = field.remote_field.on_delete  # type: ignore[union-attr]
        if on_delete is not models.PROTECT:
            why = "a personal-data model" if personal else f"personal data ({target._meta.label})"
            problems.append(
                f"{model._meta.label}.{field.name}: on_delete={on_delete.__name__} on {why}; "
                "use models.PROTECT (history is ended or anonymised, never deleted)"
            )
    return problems


def check_no_implicit_through(model: type[models.Model]) -> list[str]:
    """Auto-created M2M tables CASCADE; personal data uses an explicit through model instead."""
    problems = []
    for field in model._meta.local_many_to_many:
        target = _target(field)
        through = field.remote_field.through  # type: ignore[union-attr]
        if (_holds_personal_data(model) or _holds_personal_data(target)) and through._meta.auto_created:
            problems.append(
                f"{model._meta.label}.{field.name}: a ManyToManyField touching personal data needs an "
                "explicit `through` model (the implicit table deletes rows with CASCADE)"
            )
    return problems


def check_nothing_points_to_audit(model: type[models.Model]) -> list[str]:
    """The audit log is referenced by nothing, so no deletion or PROTECT ever involves it."""
    return [
        f"{model._meta.label}.{field.name}: no relation may point to the audit log (AuditEvent)"
        for field in model._meta.get_fields(include_hidden=True)
        if field.concrete and field.is_relation and _target(field) is AuditEvent  # type: ignore[arg-type]
    ]


def _all_problems(check: Any, models_: list[type[models.Model]]) -> list[str]:
    return [problem for model in models_ for problem in check(model)]


# ---------------------------------------------------------------------------
# Over the project
# ---------------------------------------------------------------------------
def test_every_bredvid_model_declares_whether_it_holds_personal_data() -> None:
    problems = _all_problems(check_declares_personal_data, _bredvid_models())
    assert not problems, "\n".join(problems)


def test_personal_data_carries_its_municipality_and_is_scoped() -> None:
    problems = _all_problems(check_personal_data_is_scoped, _bredvid_models())
    assert not problems, "\n".join(problems)


def test_the_allow_list_names_existing_personal_data_models_without_visible_to() -> None:
    for label in NO_VISIBLE_TO:
        model = apps.get_model(label)
        assert _holds_personal_data(model), label
        assert not hasattr(model._default_manager, "visible_to"), (
            f"{label} has visible_to: remove it from the list"
        )


def test_relations_to_and_from_personal_data_are_protected() -> None:
    # every app, including the tables Django creates for ManyToManyFields
    every_model = list(apps.get_models(include_auto_created=True))
    problems = _all_problems(check_protect, every_model)
    problems += _all_problems(check_no_implicit_through, every_model)
    assert not problems, "\n".join(problems)


def test_nothing_points_to_the_audit_log() -> None:
    problems = _all_problems(check_nothing_points_to_audit, list(apps.get_models(include_auto_created=True)))
    assert not problems, "\n".join(problems)


def test_the_rules_see_the_personal_data_models() -> None:
    """Guard against a rule passing because it looks at nothing."""
    personal = {m._meta.label for m in _bredvid_models() if _holds_personal_data(m)}
    assert {"people.Person", "casework.Case", "casework.JournalEntry", "audit.AuditEvent"} <= personal
    assert len(_bredvid_models()) >= 10


# ---------------------------------------------------------------------------
# Each rule fails on a wrong model
# ---------------------------------------------------------------------------
@isolate_apps("tests")
def test_a_model_without_the_declaration_fails() -> None:
    class Undeclared(BaseModel):
        class Meta:
            app_label = "tests"

    class NotABool(BaseModel):
        holds_personal_data = "yes"

        class Meta:
            app_label = "tests"

    class Declared(BaseModel):
        holds_personal_data = False

        class Meta:
            app_label = "tests"

    assert check_declares_personal_data(Undeclared) == [
        "tests.Undeclared: declare `holds_personal_data = True` or `False` on the class "
        "(True for data about clients, supporters or the public)"
    ]
    assert "must be True or False" in check_declares_personal_data(NotABool)[0]
    assert check_declares_personal_data(Declared) == []


@isolate_apps("tests")
def test_a_personal_data_model_without_municipality_or_visible_to_fails() -> None:
    class Loose(BaseModel):
        holds_personal_data = True
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "tests"

    class WrongTenant(BaseModel):
        holds_personal_data = True
        municipality = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "tests"

    problems = check_personal_data_is_scoped(Loose)
    assert len(problems) == 2
    assert "needs a `municipality` ForeignKey" in problems[0]
    assert "needs `visible_to(tenant)`" in problems[1]
    assert "needs a `municipality` ForeignKey" in check_personal_data_is_scoped(WrongTenant)[0]


@isolate_apps("tests")
def test_a_scoped_personal_data_model_passes() -> None:
    from bredvid.tenancy.models import Municipality

    class Scoped(models.QuerySet):  # type: ignore[type-arg]
        def visible_to(self, tenant: Any) -> Any:
            return self.filter(municipality=tenant.municipality)

    class Good(BaseModel):
        holds_personal_data = True
        municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
        person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

        objects = Scoped.as_manager()

        class Meta:
            app_label = "tests"

    for check in (check_declares_personal_data, check_personal_data_is_scoped, check_protect):
        assert check(Good) == [], check.__name__


@isolate_apps("tests")
def test_cascading_relations_to_or_from_personal_data_fail() -> None:
    from bredvid.accounts.models import User

    class PointsAtPerson(BaseModel):
        """Not personal data itself, but it would delete with the person."""

        holds_personal_data = False
        person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "tests"

    class PersonalWithNull(BaseModel):
        """Personal data whose author link is nulled out on deletion: history lost."""

        holds_personal_data = True
        author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

        class Meta:
            app_label = "tests"

    class Harmless(BaseModel):
        holds_personal_data = False
        user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "tests"

    assert check_protect(PointsAtPerson) == [
        "tests.PointsAtPerson.person: on_delete=CASCADE on personal data (people.Person); "
        "use models.PROTECT (history is ended or anonymised, never deleted)"
    ]
    assert "on_delete=SET_NULL on a personal-data model" in check_protect(PersonalWithNull)[0]
    assert check_protect(Harmless) == []


@isolate_apps("tests")
def test_an_implicit_many_to_many_with_personal_data_fails() -> None:
    class Group(BaseModel):
        holds_personal_data = False
        members = models.ManyToManyField(Person, related_name="+")

        class Meta:
            app_label = "tests"

    through = Group._meta.get_field("members").remote_field.through  # type: ignore[union-attr]
    assert "needs an explicit `through` model" in check_no_implicit_through(Group)[0]
    # and the auto-created table itself is caught by the PROTECT rule
    assert any("on_delete=CASCADE on personal data (people.Person)" in p for p in check_protect(through))


@isolate_apps("tests")
def test_a_relation_to_the_audit_log_fails() -> None:
    class Annotation(BaseModel):
        holds_personal_data = False
        event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "tests"

    assert check_nothing_points_to_audit(Annotation) == [
        "tests.Annotation.event: no relation may point to the audit log (AuditEvent)"
    ]
