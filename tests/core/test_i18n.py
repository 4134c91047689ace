"""The interface is Swedish; the English catalogue is complete and compiled."""

import gettext
from pathlib import Path

import polib
from django.test import Client
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "bredvid" / "locale" / "en" / "LC_MESSAGES"


def test_every_string_has_an_english_translation() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert untranslated == [], "run `make messages` and add the English in scripts/en_translations.py"


def test_compiled_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        assert compiled.gettext(entry.msgid) == entry.msgstr, f"stale django.mo for {entry.msgid!r}"


def test_language_switch_to_english_and_back(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert "Logga in i Bredvid" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/konto/logga-in/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in body
    assert "Log in to Bredvid" in body
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert '<html lang="sv"' in client.get(reverse("accounts:login")).content.decode()


def test_validation_messages_follow_the_language(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = {
        "identity_choice": "auto",
        "identity_number": "19811228-9875",
        "first_name": "A",
        "last_name": "B",
    }
    response = client.post(reverse("staff:person_create"), {**data, "protection_level": "none"})
    assert "The check digit is wrong." in response.content.decode()


def test_browser_language_does_not_override_swedish(db) -> None:  # type: ignore[no-untyped-def]
    body = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="sv"' in body
