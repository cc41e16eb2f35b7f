"""Evaluation: admissibility, evaluators and conflicts, assignment, scoring, consensus, ranking
and decisions."""
