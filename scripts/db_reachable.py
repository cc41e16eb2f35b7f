"""Exit 0 when the PostgreSQL database at the given URL answers, else 1."""

import sys

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else ""
if not url:
    sys.exit(1)
try:
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3
    ) as conn:
        conn.execute("SELECT 1")
except psycopg.Error:
    sys.exit(1)
