"""Signals that let a higher layer act on a lower layer's event without a backward import.

A lower domain sends; a higher one connects its receiver when the app is built
(``create_app``). Receivers run synchronously, inside the sender's transaction, so what they
write commits or rolls back with the event itself.
"""

from blinker import Namespace

_signals = Namespace()

# Sent by reviews.publish_decision inside its transaction, after the record is flushed:
# ``decision_published.send(actor, record=decision_record)``.
decision_published = _signals.signal("decision-published")
