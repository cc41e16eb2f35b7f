"""Accounts: registration, login, passwords, roles and API tokens."""
