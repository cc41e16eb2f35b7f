import functools

import pytest

from app.auth import services as auth_services


@pytest.fixture
def one_password_hash(monkeypatch):
    """Hash the shared test password once (scrypt, ~0.1 s) instead of once per account.

    Logging in still checks it with scrypt on the server, as in production.
    """
    monkeypatch.setattr(
        auth_services, "hash_password", functools.cache(auth_services.hash_password)
    )
