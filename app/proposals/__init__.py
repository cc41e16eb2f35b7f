"""Proposals: drafts, versions, attachments and submission."""
