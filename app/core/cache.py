"""A small shared cache for values that are expensive to compute and cheap to key.

Keys must name everything the value depends on (for statistics: the call's last change),
so an entry is never stale: it is only ever looked up under a key that still holds.
Redis when ``REDIS_URL`` is set (shared by every worker), else a bounded in-process
dictionary per application (per worker). Values are pickled for Redis.
"""

import contextlib
import pickle
import threading
from collections import OrderedDict
from typing import Any, cast

from flask import Flask, current_app

TTL_SECONDS = 24 * 3600


class MemoryCache:
    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisCache:
    def __init__(self, url: str, prefix: str = "portal:") -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._prefix = prefix

    def get(self, key: str) -> Any | None:
        try:
            raw = self._client.get(self._prefix + key)
        except Exception:  # a cache that does not answer is a miss
            return None
        # only this application writes under the prefix, on a server it is configured for
        return pickle.loads(cast(bytes, raw)) if raw is not None else None  # noqa: S301

    def set(self, key: str, value: Any) -> None:
        with contextlib.suppress(Exception):  # not cached this time
            self._client.set(self._prefix + key, pickle.dumps(value), ex=TTL_SECONDS)

    def clear(self) -> None:
        with contextlib.suppress(Exception):
            for key in self._client.scan_iter(self._prefix + "*"):
                self._client.delete(key)


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["portal_cache"] = RedisCache(url) if url else MemoryCache()


def cache() -> MemoryCache | RedisCache:
    store: MemoryCache | RedisCache = current_app.extensions["portal_cache"]
    return store
