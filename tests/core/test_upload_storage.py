"""Uploads: written to a temporary file, checked, then moved into place; refused files leave
nothing behind; `flask files clean` removes leftovers safely; a per-organisation quota."""

import contextlib
import io
import os
import threading
import time

import pytest

from app.auth.models import User
from app.core import files
from app.core.db import db
from app.core.errors import ValidationFailed
from app.proposals import services
from app.proposals import storage as proposal_storage
from tests.factories import make_call, make_proposal, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * max(0, size - 16) + b"\n%%EOF\n"


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    """An empty storage folder of this test's own."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def _all_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _bytes(folder) -> int:
    return sum(p.stat().st_size for p in _all_files(folder))


def test_six_refused_uploads_leave_nothing_on_disk(app, storage, monkeypatch):
    monkeypatch.setitem(app.config, "PROPOSAL_MAX_ATTACHMENT_BYTES", 4 * 1024 * 1024)
    monkeypatch.setitem(app.config, "ORGANISATION_STORAGE_BYTES", 3 * 1024 * 1024)
    user = make_user("applicant")
    proposal = make_proposal(make_call(), user, complete=False)
    refused = [
        b"MZ\x90\x00 not a pdf" * 1000,  # an executable
        b"",  # empty
        b"%PDF-1.4 no end marker" + b"x" * 500_000,  # truncated PDF
        _pdf(4 * 1024 * 1024 + 1),  # one byte over the size limit
        _pdf(3 * 1024 * 1024 + 1),  # over the organisation's quota
        b"<html>%%EOF</html>" * 10_000,  # HTML posing as PDF
    ]
    for content in refused:
        with pytest.raises(ValidationFailed):
            services.add_attachment(user, proposal.id, "x.pdf", io.BytesIO(content))

    assert _bytes(storage) == 0
    assert _all_files(storage) == []


def test_an_accepted_upload_is_in_place_under_its_hash_and_nothing_else(storage):
    user = make_user("applicant")
    proposal = make_proposal(make_call(), user, complete=False)
    attachment = services.add_attachment(user, proposal.id, "plan.pdf", io.BytesIO(PDF))
    assert _all_files(storage) == [files.path_for(attachment.sha256)]
    assert files.path_for(attachment.sha256).read_bytes() == PDF


def test_a_failure_while_writing_leaves_no_temporary_file(storage):
    class Broken(io.BytesIO):
        def read(self, *args):
            if self.tell() > 0:
                raise ConnectionResetError("client went away")
            return super().read(10)

    with pytest.raises(ConnectionResetError):
        files.store(Broken(PDF * 100), 1024 * 1024)
    assert _all_files(storage) == []


def test_the_quota_counts_the_organisations_distinct_files(app, storage, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_STORAGE_BYTES", 2500)
    user = make_user("applicant")
    call = make_call()
    first = make_proposal(call, user, complete=False)
    second = make_proposal(call, user, complete=False)
    services.add_attachment(user, first.id, "a.pdf", io.BytesIO(_pdf(1000)))
    services.add_attachment(user, second.id, "a.pdf", io.BytesIO(_pdf(1000)))  # same file
    assert proposal_storage.storage_used(first.organisation_id) == 1000
    services.add_attachment(user, second.id, "b.pdf", io.BytesIO(_pdf(1200)))
    with pytest.raises(ValidationFailed) as refused:
        services.add_attachment(user, second.id, "c.pdf", io.BytesIO(_pdf(400)))
    assert "opslagruimte" in refused.value.errors["file"]
    # Another organisation has its own quota.
    other = make_user("applicant")
    services.add_attachment(
        other, make_proposal(call, other, complete=False).id, "c.pdf", io.BytesIO(_pdf(400))
    )


def test_the_quota_error_shows_on_the_attachment_form_in_dutch(
    app, client, login, storage, monkeypatch
):
    monkeypatch.setitem(app.config, "ORGANISATION_STORAGE_BYTES", 100)
    user = login(make_user("applicant"))
    proposal = make_proposal(make_call(), user, complete=False)
    response = client.post(
        f"/proposals/{proposal.id}/attachments",
        data={"file": (io.BytesIO(_pdf(2000)), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "opslagruimte" in page and "govuk-error-summary" in page
    assert _all_files(storage) == []


# ---------------------------------------------------------------------------- cleaning


def _age(path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _stored(content: bytes):
    stored = files.store(io.BytesIO(content), 1024 * 1024)
    return files.path_for(stored.sha256)


def test_clean_removes_old_temporary_and_unreferenced_files_only(storage, runner):
    user = make_user("applicant")
    proposal = make_proposal(make_call(), user, complete=False)
    referenced = services.add_attachment(user, proposal.id, "plan.pdf", io.BytesIO(PDF))
    _age(files.path_for(referenced.sha256), 3 * 3600)
    orphan = _stored(_pdf(300))
    _age(orphan, 3 * 3600)
    young_orphan = _stored(_pdf(400))
    storage.mkdir(exist_ok=True)
    stale_temp = storage / ".upload-killed"
    stale_temp.write_bytes(b"%PDF half written")
    _age(stale_temp, 3 * 3600)
    live_temp = storage / ".upload-in-progress"
    live_temp.write_bytes(b"%PDF being written")

    dry = runner.invoke(args=["files", "clean", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would remove temporary .upload-killed" in dry.output
    assert f"would remove unreferenced {orphan.relative_to(storage)}" in dry.output
    assert stale_temp.exists() and orphan.exists()

    result = runner.invoke(args=["files", "clean"])
    assert result.exit_code == 0, result.output
    assert "removed 2 file(s)" in result.output
    assert not stale_temp.exists() and not orphan.exists()
    assert live_temp.exists() and young_orphan.exists()
    assert files.path_for(referenced.sha256).exists()


def test_clean_keeps_files_of_submitted_versions(storage, runner):
    user = make_user("applicant")
    proposal = make_proposal(make_call(), user)
    attachment = services.add_attachment(user, proposal.id, "plan.pdf", io.BytesIO(PDF))
    services.submit_proposal(user, proposal.id)
    services.remove_attachment(user, proposal.id, attachment.id)
    path = files.path_for(attachment.sha256)
    _age(path, 3 * 3600)
    result = runner.invoke(args=["files", "clean"])
    assert result.exit_code == 0, result.output
    assert path.exists(), result.output


def test_a_file_stored_again_while_cleaning_is_put_back(storage):
    orphan = _stored(_pdf(300))
    _age(orphan, 3 * 3600)

    def references():
        # The same content is uploaded again between the listing and the removal.
        files.store(io.BytesIO(_pdf(300)), 1024 * 1024)
        return set()

    report = files.clean_storage(references, grace_seconds=600)
    assert orphan.exists() and report.unreferenced == []
    assert not list(storage.rglob(".trash-*"))


def test_two_parallel_uploads_cannot_both_pass_the_quota(app, storage, monkeypatch):
    """Two uploads at the same moment to two proposals of one organisation, each within the
    quota alone and over it together: exactly one is kept. Both threads are held inside the
    check of the file until the other arrives there too (or a second has passed), so without
    a per-organisation lock both would have counted the storage used before either stored."""
    monkeypatch.setitem(app.config, "ORGANISATION_STORAGE_BYTES", 1500)
    user = make_user("applicant")
    call = make_call()
    proposal_ids = [make_proposal(call, user, complete=False).id for _ in range(2)]
    user_id = user.id
    db.session.remove()

    meeting = threading.Barrier(2, timeout=1)
    real_accept = files.accept_pdf

    def accept(path, size):
        real_accept(path, size)
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()

    monkeypatch.setattr(files, "accept_pdf", accept)
    outcomes: dict[int, str] = {}

    def upload(n: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                content = _pdf(1000 + n)  # two different files
                services.add_attachment(actor, proposal_ids[n], "a.pdf", io.BytesIO(content))
                outcomes[n] = "kept"
            except ValidationFailed as exc:
                outcomes[n] = exc.errors["file"]
            except Exception as exc:  # a lock error would show here
                outcomes[n] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values(), key=lambda v: v != "kept")[0] == "kept", outcomes
    refused = [v for v in outcomes.values() if v != "kept"]
    assert len(refused) == 1 and "opslagruimte" in refused[0], outcomes
    organisation_id = min(db.session.get(User, user_id).organisation_ids)
    assert services.storage_used(organisation_id) <= 1500
    assert len(_all_files(storage)) == 1
