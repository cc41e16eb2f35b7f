"""Monitoring of funded projects: trainings, enrolment imports and the reports for parliament."""
