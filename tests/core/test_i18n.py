"""The interface is Swedish; the English catalogue is complete, compiled and in sync with the source."""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bredvid" / "locale" / "en" / "LC_MESSAGES"
# The file types makemessages reads for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# Never copied: not source (build/ is a stale wheel build; locale/ would receive the output).
SKIPPED_DIRS = {"__pycache__", "node_modules", "build", "locale"}


def test_every_string_has_an_english_translation() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert untranslated == [], (
        "run `make messages` and write the English in bredvid/locale/en/LC_MESSAGES/django.po"
    )


def test_compiled_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                found = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                assert found == entry.msgstr_plural[index], f"stale django.mo for {entry.msgid!r}"
            continue
        found = (
            compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
        )
        assert found == entry.msgstr, f"stale django.mo for {entry.msgctxt!r} {entry.msgid!r}"


def test_one_swedish_word_can_have_two_englishes() -> None:
    """`barn` is "child" for a household member and "children" in a capacity (msgctxt)."""
    from django.utils import translation

    with translation.override("en"):
        assert translation.pgettext("household member under 18", "barn") == "child"
        assert translation.npgettext("capacity", "%(n)s barn", "%(n)s barn", 3) % {"n": 3} == "3 children"
        assert translation.npgettext("capacity", "%(n)s barn", "%(n)s barn", 1) % {"n": 1} == "1 child"


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


def _makemessages_ignores() -> list[str]:
    """The --ignore patterns of `make messages`, so that the test extracts exactly what it extracts."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if "makemessages" in line)
    return re.findall(r'--ignore "([^"]+)"', line)


def _keys(po: polib.POFile) -> set[tuple[str | None, str, str]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


def _copy_sources(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name.startswith(".") or name in SKIPPED_DIRS:
                    skipped.add(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def test_catalogue_is_in_sync_with_the_source(tmp_path, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Extracts the strings like `make messages` does, into a copy: the repository is not touched."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install gettext (apt-get install gettext)")
    source = tmp_path / "source"
    _copy_sources(source)
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(source)
    call_command(
        "makemessages", locale=["en"], no_obsolete=True, ignore_patterns=_makemessages_ignores(), verbosity=0
    )
    extracted = _keys(polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")))
    committed = _keys(polib.pofile(str(LOCALE / "django.po")))
    hint = "run `make messages` and write the English in bredvid/locale/en/LC_MESSAGES/django.po"
    new = sorted(msgid for _, msgid, _ in extracted - committed)
    assert not new, f"{hint}; not in the catalogue: {new}"
    gone = sorted(msgid for _, msgid, _ in committed - extracted)
    assert not gone, f"{hint}; no longer in the source: {gone}"
