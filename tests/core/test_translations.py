"""Dutch is the default language: every interface text must have a Dutch translation."""

from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def test_every_message_has_a_dutch_translation():
    with (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in template if m.id and not (catalog.get(m.id) and catalog[m.id].string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], f"untranslated in nl: {missing}"
    assert fuzzy == [], f"fuzzy in nl: {fuzzy}"


def test_pages_render_in_dutch_and_english(client):
    assert "Aanmelden" in client.get("/auth/login").get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/auth/login"})
    body = client.get("/auth/login").get_data(as_text=True)
    assert "Log in" in body and "Aanmelden" not in body
