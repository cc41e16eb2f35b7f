"""Demo data for ``flask --app app seed-demo`` (accounts.py holds the command).

The cast and the prose are data (``data/``: providers, training themes, phrases, evaluators,
the call's description); the code builds from them, through the real services:
``calls`` (the two calls and their proposals, replayed from ``plans``, written by ``fields``
with PDF ``attachments``), ``evaluation`` (last year's call evaluated to a published
decision: ``evaluators``, ``facts``, ``observations``, ``scoring``, ``texts``) and
``monitoring`` (the funded projects' enrolments). Deterministic: a fixed seed and the date.
"""
