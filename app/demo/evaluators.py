"""The demo evaluators' accounts, expertise and affiliations (data/experts.json)."""

from app.auth import services as auth_services
from app.auth.models import User
from app.core.db import db
from app.core.permissions import Role
from app.demo.content import EXPERTS
from app.reviews.models import (
    EvaluatorProfile,
)
from app.reviews.rules import conflicts as conflicts_rules

# How many proposals get one evaluator far from the other two (flagged as disagreement).
DISAGREEMENTS = 3


def ensure_evaluators(password: str) -> list[User]:
    users = []
    for expert in EXPERTS:
        user = auth_services.get_user_by_email(expert.email)
        if user is None:
            user = auth_services.create_user(
                None,
                auth_services.AccountInput(email=expert.email, name=expert.name, password=password),
                roles={Role.evaluator},
                verified=True,
            )
        if not user.is_evaluator:
            continue  # an account someone made by hand; leave its roles alone
        if db.session.get(EvaluatorProfile, user.id) is None:
            conflicts_rules.update_profile(
                user,
                expert.expertise,
                [
                    conflicts_rules.AffiliationInput(name, number, relation)
                    for name, number, relation in expert.affiliations
                ],
            )
        users.append(user)
    return users
