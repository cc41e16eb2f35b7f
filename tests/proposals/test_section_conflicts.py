"""Conflicts per field: two members saving different sections (or different fields of one
section) both keep their work; the same field changed in two places is a conflict that keeps
what was typed; the same person in two tabs is told it was another window."""

import html
import re

from app.core.db import db
from app.proposals import merge, services
from tests.factories import DEFAULT_PASSWORD, make_call, make_proposal, make_user


def _client_for(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def _opened(client, proposal, section) -> dict[str, str]:
    """The hidden fields of the section form as the browser got them (revision and base)."""
    page = client.get(f"/proposals/{proposal.id}/edit/{section}").get_data(as_text=True)
    hidden = {}
    for name in ("revision", "base"):
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
        assert match, name
        hidden[name] = html.unescape(match.group(1))
    return hidden


def _members(app):
    call = make_call()
    an = make_user("applicant", name="An Peeters")
    bert = make_user("applicant", organisation=an.organisations[0], name="Bert Claes")
    proposal = make_proposal(call, an, complete=False, title="Eerste titel")
    return proposal, an, bert, _client_for(app, an), _client_for(app, bert)


def test_two_members_saving_different_sections_both_keep_their_work(app):
    proposal, _an, _bert, an_client, bert_client = _members(app)
    general = _opened(an_client, proposal, "general")
    design = _opened(bert_client, proposal, "design")
    response = bert_client.post(
        f"/proposals/{proposal.id}/edit/design", data={**design, "content": "Inhoud van Bert"}
    )
    assert response.status_code == 302
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general", data={**general, "title": "Titel van An"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.title == "Titel van An" and proposal.content == "Inhoud van Bert"


def test_different_fields_of_one_section_merge_without_losing_either(app):
    proposal, _an, _bert, an_client, bert_client = _members(app)
    an_form = _opened(an_client, proposal, "general")
    bert_form = _opened(bert_client, proposal, "general")
    bert_client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={**bert_form, "title": "Eerste titel", "acronym": "BERT"},
    )
    # An's form still shows the old, empty acronym: it does not overwrite Bert's.
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={**an_form, "title": "Titel van An", "acronym": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Titel van An" and proposal.acronym == "BERT"


def test_the_same_field_changed_by_another_member_is_a_conflict_that_keeps_the_input(app):
    proposal, _an, _bert, an_client, bert_client = _members(app)
    an_form = _opened(an_client, proposal, "general")
    bert_form = _opened(bert_client, proposal, "general")
    bert_client.post(
        f"/proposals/{proposal.id}/edit/general", data={**bert_form, "title": "Titel van Bert"}
    )
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={**an_form, "title": "Titel van An", "acronym": "AN"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Bert Claes" in page and "iemand anders" in page.lower()
    assert "ander venster" not in page
    assert 'value="Titel van An"' in page  # the typed title is kept in the form
    assert 'value="AN"' in page  # and so is the other field An changed
    db.session.expire_all()
    assert proposal.title == "Titel van Bert" and proposal.acronym == ""
    # Saving from the conflict page replaces Bert's title deliberately.
    again = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input[^>]*name="(revision|base)"[^>]*value="([^"]*)"', page
        )
    }
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={**again, "title": "Titel van An", "acronym": "AN"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Titel van An" and proposal.acronym == "AN"


def test_the_same_member_in_two_tabs_is_told_it_was_another_window(app):
    proposal, _an, _bert, an_client, _bert_client = _members(app)
    first_tab = _opened(an_client, proposal, "general")
    second_tab = _opened(an_client, proposal, "general")
    an_client.post(f"/proposals/{proposal.id}/edit/general", data={**first_tab, "title": "Tab 1"})
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general", data={**second_tab, "title": "Tab 2"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "ander venster" in page
    assert "iemand anders" not in page.lower()
    assert 'value="Tab 2"' in page


def test_a_form_without_a_base_still_conflicts_on_any_save_since(app):
    """Older forms (and scripts) send only the revision: any save since it conflicts."""
    proposal, _an, bert, an_client, _bert_client = _members(app)
    opened = proposal.revision
    services.update_proposal(bert, proposal.id, {"acronym": "BERT"}, opened)
    response = an_client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={"revision": str(opened), "title": "Titel van An"},
    )
    assert response.status_code == 409


def test_the_merge_rules():
    class Row:
        title, acronym, technologies = "Nu", "X", ["vr"]

    base = {"title": merge.field_hash("Toen"), "acronym": merge.field_hash("X")}
    base["technologies"] = merge.field_hash(["vr"])
    # the user left the title alone (typed == base): not saved, not a clash
    rebased = merge.rebase(Row, {"title": "Toen", "acronym": "Y"}, base)
    assert rebased.changes == {"acronym": "Y"} and rebased.clashes == []
    # both changed the title to different texts: a clash
    assert merge.rebase(Row, {"title": "Ander"}, base).clashes == ["title"]
    # both changed it to the same text: no clash
    assert merge.rebase(Row, {"title": " Nu "}, base).clashes == []
    # empty text and None, [] and None are the same value
    assert merge.field_hash("") == merge.field_hash(None) == merge.field_hash([])
    assert merge.decode_base("not json") is None and merge.decode_base('["x"]') is None
