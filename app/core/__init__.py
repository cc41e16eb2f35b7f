"""Shared pieces: database, time, money, files, email, errors, permissions."""
