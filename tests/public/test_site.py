"""The municipalities' public sites: every page for anonymous visitors of a publishing municipality,
a 404 for an unpublished or unknown one, and only the municipality's own texts and contact details."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bredvid.accounts import administration as services
from bredvid.tenancy.models import Municipality, PublicPage, reserved_slugs
from bredvid.www.public.site import URL_NAMES
from tests.factories import MunicipalityFactory
from tests.municipal_admin.conftest import image_bytes

PAGES = [URL_NAMES[page] for page in PublicPage.values]


def publish(municipality: Municipality, **fields: object) -> Municipality:
    Municipality.objects.filter(pk=municipality.pk).update(publishes_site=True, **fields)
    municipality.refresh_from_db()
    return municipality


@pytest.fixture
def ale(world):  # type: ignore[no-untyped-def]
    return publish(
        world.home,
        public_phone="0303-33 00 00",
        public_email="soc@ale.example",
        opening_hours="Vardagar 8–16",
        colour="#00703c",
        settings={"uses_skolfam": True},
    )


@pytest.fixture
def borlange(world):  # type: ignore[no-untyped-def]
    return publish(world.other, public_phone="0243-740 00", public_email="soc@borlange.example")


def url(name: str, municipality: Municipality) -> str:
    return reverse(f"public:{name}", args=[municipality.slug])


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_anonymous_visitors(client, ale, name) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url(name, ale))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv"' in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html  # the skip link and its target
    assert html.count("<h1") == 1
    assert "Ale" in html
    assert 'aria-label="Sidor"' in html  # the service navigation
    assert url("accessibility", ale) in html and url("privacy", ale) in html  # in the footer
    assert "<script>" not in html and " style=" not in html  # no inline script or style (CSP)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_in_english_too(client, ale, name) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    response = client.get(url(name, ale), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_the_english_default_texts_are_english(client, ale) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    html = client.get(url("contact_person", ale)).content.decode()
    assert "What is a contact person?" in html and "Vad är en kontaktperson?" not in html


@pytest.mark.parametrize("name", PAGES)
def test_an_unpublished_municipalitys_pages_are_not_found(client, world, name) -> None:  # type: ignore[no-untyped-def]
    assert not world.home.publishes_site
    assert client.get(url(name, world.home)).status_code == 404


def test_unknown_municipality_and_unpublished_logo_are_not_found(client, world) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/finns-inte/").status_code == 404
    assert client.get("/finns-inte/kontaktperson/").status_code == 404
    assert client.get(url("logo", world.home)).status_code == 404
    assert client.get(url("theme", world.home)).status_code == 404


def test_skolfam_only_where_the_municipality_uses_it(client, ale, borlange) -> None:  # type: ignore[no-untyped-def]
    assert client.get(url("skolfam", ale)).status_code == 200
    assert client.get(url("skolfam", borlange)).status_code == 404
    assert url("skolfam", ale) in client.get(url("start", ale)).content.decode()
    assert url("skolfam", borlange) not in client.get(url("start", borlange)).content.decode()


def test_the_start_page_links_every_page(client, ale) -> None:  # type: ignore[no-untyped-def]
    html = client.get(url("start", ale)).content.decode()
    for name in PAGES:
        assert url(name, ale) in html, name


def test_the_support_pages_say_it_is_free_and_how_to_apply(client, ale) -> None:  # type: ignore[no-untyped-def]
    for name in ("contact_person", "contact_family", "foster_home", "emergency_home"):
        html = client.get(url(name, ale)).content.decode()
        assert "kostnadsfritt" in html and "Så ansöker du" in html, name


def test_becoming_a_supporter_covers_the_investigation_and_declining(client, ale) -> None:  # type: ignore[no-untyped-def]
    html = client.get(url("become_supporter", ale)).content.decode()
    for words in ("hembesök", "referens", "belastnings", "tacka nej", "Ingen särskild utbildning", "arvode"):
        assert words in html, words
    assert not re.search(r"\d\s*kr\b", html)  # remuneration in words only: no rates exist yet


def test_accessibility_statement_and_privacy_notice(client, ale) -> None:  # type: ignore[no-untyped-def]
    statement = client.get(url("accessibility", ale)).content.decode()
    for words in ("WCAG 2.1", "AA", "Kända brister", "Digg", "2018:1937", "0303-33 00 00"):
        assert words in statement, words
    assert 'data-testid="statement-date"' in statement
    privacy = client.get(url("privacy", ale)).content.decode()
    for words in (
        "Socialnämnden",
        "i Ale",
        "registerutdrag",
        "Integritetsskyddsmyndigheten",
        "Dataskyddsombud",
    ):
        assert words in privacy, words
    assert reverse("public:privacy", args=["ale"]) == "/ale/personuppgifter/"


def test_only_the_municipalitys_own_contact_details_and_texts(client, world, ale, borlange) -> None:  # type: ignore[no-untyped-def]
    services.save_public_text(
        tenant=world.tenant("admin"), page="kontaktperson", language="sv", markdown="Ales **egen** text."
    )
    ale_page = client.get(url("contact_person", ale)).content.decode()
    borlange_page = client.get(url("contact_person", borlange)).content.decode()
    assert "Ales <strong>egen</strong> text." in ale_page
    assert "Ales" not in borlange_page and "Vad är en kontaktperson?" in borlange_page
    ale_contact = client.get(url("contact", ale)).content.decode()
    borlange_contact = client.get(url("contact", borlange)).content.decode()
    assert "0303-33 00 00" in ale_contact and "soc@ale.example" in ale_contact
    assert "0303-33 00 00" not in borlange_contact and "soc@ale.example" not in borlange_contact
    assert "0243-740 00" in borlange_contact


def test_the_municipality_list_shows_only_publishing_ones(
    client, world, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    publish(world.home)
    for n in range(5):
        publish(MunicipalityFactory(name=f"Publicerande {n}"))
    MunicipalityFactory(name="Hemlighetsfull")
    with django_assert_max_num_queries(2):
        html = client.get(reverse("public:municipality_list")).content.decode()
    assert "Ale" in html and "Publicerande 4" in html
    assert "Borlänge" not in html and "Hemlighetsfull" not in html


def test_a_page_costs_a_constant_number_of_queries(client, ale, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(3):
        assert client.get(url("start", ale)).status_code == 200


def test_the_logo_is_served_with_its_type_and_cache_headers(client, ale) -> None:  # type: ignore[no-untyped-def]
    data = image_bytes("PNG")
    publish(ale, logo=data, logo_type="image/png")
    response = client.get(url("logo", ale))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response.content == data
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    again = client.get(url("logo", ale), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert url("logo", ale) in client.get(url("start", ale)).content.decode()


def test_no_logo_is_a_404(client, ale) -> None:  # type: ignore[no-untyped-def]
    assert client.get(url("logo", ale)).status_code == 404


def test_the_colour_is_a_stylesheet_not_an_inline_style(client, ale, borlange) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url("theme", ale))
    assert response["Content-Type"].startswith("text/css")
    assert response.content.decode() == ":root { --bv-municipality-colour: #00703c; }\n"
    assert client.get(url("theme", borlange)).content == b""  # no colour: the default stays
    # a colour that somehow bypassed validation is never written into the stylesheet
    publish(borlange, colour="red;}x")
    assert client.get(url("theme", borlange)).content == b""
    assert "style-src 'self'" in client.get(url("start", ale))["Content-Security-Policy"]


def test_the_public_pages_link_the_forms_only_when_they_exist(client, ale) -> None:  # type: ignore[no-untyped-def]
    from django.urls import NoReverseMatch

    html = client.get(url("become_supporter", ale)).content.decode()
    try:
        interest = reverse("public:interest_new", args=[ale.slug])
    except NoReverseMatch:
        assert "Gör en intresseanmälan" not in html
    else:
        assert interest in html


# ---------------------------------------------------------------------------
# Slug reservation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "slug",
    [
        "arenden",
        "personer",
        "konto",
        "api",
        "admin",
        "administration",
        "kommuner",
        "i18n",
        "healthz",
        "readyz",
        "static",
        "oidc",
    ],
)
def test_a_staff_path_cannot_be_a_municipalitys_slug(db, slug) -> None:  # type: ignore[no-untyped-def]
    municipality = Municipality(name="X", kommunkod="9999", slug=slug)
    with pytest.raises(ValidationError) as error:
        municipality.full_clean()
    assert "slug" in error.value.message_dict


def test_every_first_segment_of_the_urlconf_is_reserved() -> None:
    from django.urls import get_resolver

    literal = set()
    for pattern in get_resolver().url_patterns:
        first = str(pattern.pattern).split("/", 1)[0]
        if first and "<" not in first:
            literal.add(first)
    assert literal <= reserved_slugs()
    assert "ale" not in reserved_slugs()


def test_no_existing_municipality_has_a_reserved_slug(world) -> None:  # type: ignore[no-untyped-def]
    taken = set(Municipality.objects.values_list("slug", flat=True))
    assert taken and not taken & reserved_slugs()
