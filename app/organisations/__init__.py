"""Applicant organisations and their members."""
