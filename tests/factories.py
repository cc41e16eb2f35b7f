"""Small factories that commit; states that carry rules go through the real services."""

import itertools

from app.auth import services as auth_services
from app.core.permissions import Role
from app.organisations import services as organisations
from app.organisations.enterprise_number import normalise
from app.organisations.models import Organisation, ProviderType

DEFAULT_PASSWORD = "Correct-Paard-Batterij-9"
_counter = itertools.count(1)


def valid_enterprise_number(n: int | None = None) -> str:
    """A valid enterprise number derived from ``n`` (mod-97 check digits)."""
    body = 2000000 + (n if n is not None else next(_counter))  # 8 digits, leading 0
    return normalise(f"{body:08d}{97 - body % 97:02d}")


def make_organisation(**overrides) -> Organisation:
    n = next(_counter)
    data = {"legal_name": f"Opleidingscentrum {n}", "enterprise_number": valid_enterprise_number(n),
            "provider_type": ProviderType.private, "city": "Gent", "postal_code": "9000",
            "street": "Kouter 1"}
    data.update(overrides)
    return organisations.create_organisation(None, organisations.OrganisationInput(**data))


def make_user(role: Role | str = Role.applicant, *, organisation: Organisation | None = None,
              email: str | None = None, password: str = DEFAULT_PASSWORD, verified: bool = True,
              name: str | None = None, language: str = "nl"):
    n = next(_counter)
    role = Role(role)
    user = auth_services.create_user(
        None, auth_services.AccountInput(email=email or f"user{n}@example.org",
                                         name=name or f"Gebruiker {n}", password=password,
                                         language=language),
        roles={role}, verified=verified)
    if role is Role.applicant:
        organisations.add_member(None, organisation or make_organisation(), user)
    return user
