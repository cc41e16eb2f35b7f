"""Monitoring of funded projects: trainings, enrolment imports and the reports parliament asks for."""
