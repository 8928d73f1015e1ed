"""Scheduled jobs: run by timers on every application server, each runs on one
machine at a time and each run is recorded in the trail.

``exclusive(name)`` takes a PostgreSQL advisory lock named after the job, without waiting: a second
machine starting the same job meanwhile finds it taken and does nothing (the job is idempotent:
the next run catches up). The lock is the session's, released at the end of the block, and by
PostgreSQL if the process dies. On SQLite a single host runs the product: nothing to share.
"""

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

from audit.recorder import acting, record

# The advisory locks of jobs live in their own space, apart from the sealer's (``sealer.CHAIN_LOCK_KEY``).
JOB_LOCK_SPACE = 0x6A6F62

def _key(name: str) -> int:
    return (JOB_LOCK_SPACE << 32) | zlib.crc32(name.encode())


@contextmanager
def exclusive(name: str, using: str = DEFAULT_DB_ALIAS) -> Iterator["Run | None"]:
    """Yield a ``Run`` when this process holds the job ``name``, ``None`` when another one runs it
    now. The run is recorded (``job.run``) with the result the caller sets on it."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
            if not cursor.fetchone()[0]:
                yield None
                return
    run = Run(name)
    try:
        with acting(label=f"tâche planifiée {name}"):
            yield run
            record("job.run", details={"tâche": name, "résultat": run.result,
                                       "durée_s": round(time.monotonic() - run.started, 1)}, using=using)
    finally:
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])


class Run:
    def __init__(self, name: str) -> None:
        self.name, self.started, self.result = name, time.monotonic(), ""
