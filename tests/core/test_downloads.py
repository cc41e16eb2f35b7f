"""Downloads built in memory go out through send_file: an attachment, never cached."""

from werkzeug.http import parse_options_header

from app.core.downloads import download


def test_a_download_is_an_uncached_attachment_with_its_name(app):
    with app.test_request_context():
        response = download("a;b\r\n", "text/csv; charset=utf-8", "cijfers-ESF-2021.csv")
        response.direct_passthrough = False
        assert response.get_data() == b"a;b\r\n"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options["filename"]) == ("attachment", "cijfers-ESF-2021.csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/csv"


def test_a_name_beyond_ascii_is_sent_both_ways(app):
    with app.test_request_context():
        response = download(b"%PDF", "application/pdf", "beslissing-één.pdf")
    header = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''beslissing-%C3%A9%C3%A9n.pdf" in header
