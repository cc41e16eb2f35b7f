"""Helpers the deadline concurrency tests share (test_deadline_load, test_deadline_proxy)."""

import os
import threading

ON_POSTGRESQL = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")


def in_parallel(count: int, work, timeout: float = 120):
    """Run ``work(i)`` in ``count`` threads; results in order, exceptions re-raised."""
    results: list = [None] * count
    errors: list = []

    def run(i):
        try:
            results[i] = work(i)
        except BaseException as exc:  # reported below
            errors.append((i, exc))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        i, exc = errors[0]
        raise AssertionError(f"thread {i} failed ({len(errors)} in all): {exc!r}") from exc
    return results
