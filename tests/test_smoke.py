from tests.factories import make_user


def test_home_page_is_dutch_by_default_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_login_and_profile(client, login):
    user = login(make_user("official"))
    response = client.get("/auth/profile")
    assert response.status_code == 200
    assert user.email in response.get_data(as_text=True)
