"""The municipalities' own texts: Markdown sanitised by one function, edited under Administration
(admin only, own municipality only), previewed without saving, reset to the default, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bredvid.accounts import administration as services
from bredvid.audit.models import AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.core.markdown import render_markdown
from bredvid.tenancy.models import Municipality, PublicPage, PublicText, Role
from bredvid.www.public import pagetexts


def events(change: str, **filters: object) -> list[AuditEvent]:
    return [
        e for e in AuditEvent.objects.filter(**filters).order_by("seq") if e.detail.get("change") == change
    ]


EDIT = reverse("municipal_admin:text_edit", args=["kontaktperson", "sv"])
RESET = reverse("municipal_admin:text_reset", args=["kontaktperson", "sv"])
LIST = reverse("municipal_admin:text_list")
HOSTILE = (
    "## Rubrik\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
    '[klicka](javascript:alert(3)) <a href="https://ok.example" onclick="alert(4)" style="color:red">ok</a>\n\n'
    '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def test_scripts_handlers_and_javascript_links_are_stripped() -> None:
    html = str(render_markdown(HOSTILE))
    for bad in (
        "<script",
        "alert(1)",
        "<img",
        "onerror",
        "javascript:",
        "onclick",
        "style",
        "<iframe",
        "display:none",
    ):
        assert bad not in html, bad
    assert '<h2 class="govuk-heading-m">Rubrik</h2>' in html
    assert 'href="https://ok.example"' in html and 'rel="noopener noreferrer"' in html


def test_the_allowed_markdown_becomes_govuk_html() -> None:
    html = str(
        render_markdown(
            "# Stor\n\nText med **fet** och *kursiv*.\n\n- ett\n- två\n\nMellan.\n\n1. a\n\n> citat"
        )
    )
    assert "<h1" not in html and '<h2 class="govuk-heading-m">Stor</h2>' in html  # the page keeps its only h1
    assert "<strong>fet</strong>" in html and "<em>kursiv</em>" in html
    assert 'class="govuk-list govuk-list--bullet"' in html and 'class="govuk-list govuk-list--number"' in html
    assert 'class="govuk-inset-text"' in html


def test_a_text_cannot_smuggle_classes_or_ids() -> None:
    html = str(render_markdown('<p class="govuk-visually-hidden" id="main-content">x</p>'))
    assert "visually-hidden" not in html and "main-content" not in html


@pytest.mark.parametrize("page", PublicPage.values)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_default_text_exists_and_renders(page, language) -> None:  # type: ignore[no-untyped-def]
    text = pagetexts.default_markdown(page, language)
    assert len(text) > 100
    assert str(render_markdown(text)).startswith("<")


def test_the_english_defaults_are_not_the_swedish_ones() -> None:
    for page in PublicPage.values:
        assert pagetexts.default_markdown(page, "en") != pagetexts.default_markdown(page, "sv")


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------
def test_saving_a_text_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    text = services.save_public_text(
        tenant=world.tenant("admin"), page="kontaktperson", language="sv", markdown="Egen text"
    )
    event = AuditEvent.objects.get(object_id=str(text.pk))
    assert event.detail["change"] == "public_text_saved" and event.municipality_id == world.home.pk
    assert text.updated_by == world.users["admin"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.AUDITOR, Role.FAMILY_CARE_OFFICER])
def test_only_the_admin_may_save_a_text(world, role) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.save_public_text(tenant=world.tenant(role), page="start", language="sv", markdown="x")
    assert not PublicText.objects.exists()


@pytest.mark.parametrize(
    ("page", "language", "markdown", "field"),
    [
        ("nej", "sv", "x", "page"),
        ("start", "de", "x", "language"),
        ("start", "sv", "  ", "markdown"),
        ("start", "sv", "x" * 20_001, "markdown"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(world, page, language, markdown, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.save_public_text(
            tenant=world.tenant("admin"), page=page, language=language, markdown=markdown
        )
    assert field in error.value.message_dict
    assert not PublicText.objects.exists() and not events("public_text_saved")


def test_reset_goes_back_to_the_default(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("admin")
    with pytest.raises(IllegalTransition):
        services.reset_public_text(tenant=tenant, page="start", language="sv")
    services.save_public_text(tenant=tenant, page="start", language="sv", markdown="Egen")
    assert pagetexts.page_text(world.home, "start", "sv").markdown == "Egen"
    services.reset_public_text(tenant=tenant, page="start", language="sv")
    current = pagetexts.page_text(world.home, "start", "sv")
    assert current.is_default and current.markdown == pagetexts.default_markdown("start", "sv")
    assert len(events("public_text_reset")) == 1


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", [LIST, EDIT, RESET])
def test_the_admin_opens_the_text_pages(world, path) -> None:  # type: ignore[no-untyped-def]
    assert world.client("admin").get(path).status_code == 200


@pytest.mark.parametrize("path", [LIST, EDIT, RESET])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.AUDITOR])
def test_other_roles_are_refused(world, path, role) -> None:  # type: ignore[no-untyped-def]
    assert world.client(role).get(path).status_code == 403
    assert world.client(role).post(path, {"markdown": "x"}).status_code == 403


@pytest.mark.parametrize("path", [LIST, EDIT, RESET])
def test_anonymous_visitors_are_sent_to_the_login(client, path) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_unknown_page_or_language_is_a_404(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.client("admin")
    assert admin.get(reverse("municipal_admin:text_edit", args=["nej", "sv"])).status_code == 404
    assert admin.get(reverse("municipal_admin:text_edit", args=["start", "de"])).status_code == 404


def test_the_list_shows_which_texts_are_the_municipalitys_own(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    services.save_public_text(tenant=world.tenant("admin"), page="jourhem", language="en", markdown="Own")
    client = world.client("admin")
    client.get(LIST)
    with django_assert_max_num_queries(12):
        html = client.get(LIST).content.decode()
    assert html.count("kommunens egen text (") == 1
    assert reverse("municipal_admin:text_edit", args=["jourhem", "en"]) in html


def test_the_editor_shows_the_current_text(world) -> None:  # type: ignore[no-untyped-def]
    html = world.client("admin").get(EDIT).content.decode()
    assert "Vad är en kontaktperson?" in html and "Förhandsgranska" in html


def test_preview_renders_exactly_and_saves_nothing(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("admin").post(EDIT, {"markdown": HOSTILE, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('data-testid="preview"', 1)[1].split("</section>", 1)[0]
    assert str(pagetexts.render(world.home, HOSTILE)) in preview
    assert (
        "<script>alert" not in html and "onerror=alert" not in html.replace("&lt;", "<").split("<textarea")[0]
    )
    assert HOSTILE.split("\n")[0] in html  # what was typed stays in the textarea
    assert not PublicText.objects.exists()
    assert not events("public_text_saved")


def test_preview_of_an_empty_text_shows_the_error(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("admin").post(EDIT, {"markdown": "", "preview": "1"})
    assert "Skriv en text, eller återställ standardtexten." in response.content.decode()
    assert not PublicText.objects.exists()


def test_saving_shows_the_text_on_the_site(world, client) -> None:  # type: ignore[no-untyped-def]
    Municipality.objects.filter(pk=world.home.pk).update(publishes_site=True)
    response = world.client("admin").post(EDIT, {"markdown": "Ny text om {kommun}."})
    assert response.status_code == 302 and response["Location"] == EDIT
    site = client.get(reverse("public:contact_person", args=[world.home.slug])).content.decode()
    assert "Ny text om Ale." in site and "Vad är en kontaktperson?" not in site
    assert len(events("public_text_saved", municipality=world.home)) == 1


def test_reset_page_restores_the_default(world) -> None:  # type: ignore[no-untyped-def]
    services.save_public_text(
        tenant=world.tenant("admin"), page="kontaktperson", language="sv", markdown="Egen"
    )
    response = world.client("admin").post(RESET, {"confirm": "on"})
    assert response.status_code == 302
    assert pagetexts.page_text(world.home, "kontaktperson", "sv").is_default


def test_another_municipalitys_admin_cannot_edit_the_texts(world) -> None:  # type: ignore[no-untyped-def]
    services.save_public_text(
        tenant=world.tenant("admin"), page="kontaktperson", language="sv", markdown="Ales text"
    )
    other = world.client("admin", other=True)
    html = other.get(EDIT).content.decode()
    assert "Ales text" not in html  # the other admin sees (and edits) its own municipality's text
    other.post(EDIT, {"markdown": "Borlänges text"})
    other.post(RESET, {"confirm": "on"})
    assert pagetexts.page_text(world.home, "kontaktperson", "sv").markdown == "Ales text"
    assert pagetexts.page_text(world.other, "kontaktperson", "sv").markdown == pagetexts.default_markdown(
        "kontaktperson", "sv"
    )  # saved, then reset by the other admin: only its own row changed
    assert PublicText.objects.get(municipality=world.other).updated_by == world.other_users["admin"]


def test_the_settings_page_publishes_the_site_and_turns_on_skolfam(world, client) -> None:  # type: ignore[no-untyped-def]
    data = {
        "register_check_valid_months": "12",
        "case_access": "units",
        "publishes_site": "on",
        "uses_skolfam": "on",
    }
    response = world.client("admin").post(reverse("municipal_admin:settings"), data)
    assert response.status_code == 302
    world.home.refresh_from_db()
    assert world.home.publishes_site and world.home.uses_skolfam
    assert client.get(reverse("public:skolfam", args=[world.home.slug])).status_code == 200
    data.pop("publishes_site")
    world.client("admin").post(reverse("municipal_admin:settings"), data)
    assert client.get(reverse("public:start", args=[world.home.slug])).status_code == 404
    event = events("settings_updated")[-1]
    assert "publishes_site" in event.detail["fields"]
