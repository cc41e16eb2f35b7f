"""An organisation's storage: taking its lock before the quota is counted.

Counting the bytes an organisation uses and storing a new file must be one step per
organisation, or two uploads at the same moment (to two of its proposals) both count the
same total and both pass. ``lock_organisation`` takes a lock held until the transaction ends:
the organisation's row ``FOR UPDATE`` on PostgreSQL; on SQLite a write to that row, which
takes the database's one write lock (waiting up to ``busy_timeout``) and, as the first write,
begins the transaction, so what is read afterwards includes every upload committed before.
"""

import sqlalchemy as sa

from app.core.db import db
from app.organisations.models import Organisation


def lock_organisation(organisation_id: int) -> None:
    """Serialise storage changes of one organisation until the transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        )
    else:
        db.session.execute(
            sa.text("UPDATE organisations SET id = id WHERE id = :id"), {"id": organisation_id}
        )
