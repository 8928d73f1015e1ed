"""How both sides of ``bench/transition.py`` are measured: the same loop, the same figures."""

import math
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def sample(prepare: Callable[[], Callable[[], object]], runs: int, warmup: int = 1) -> dict[str, list]:
    """Time ``prepare()()`` ``runs`` times: ``prepare`` builds a fresh object outside the clock and
    returns the request to time, which must redirect (the change was done). The times in ms and the
    queries of each run (BEGIN, COMMIT and savepoints included: the audit trail's sealer, at most once
    a second, makes the largest)."""
    times, queries = [], []
    for n in range(warmup + runs):
        send = prepare()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = send()
            elapsed = time.perf_counter() - start
        if response.status_code != 302:
            raise RuntimeError(f"expected a redirect, got {response.status_code}")
        if n >= warmup:
            times.append(elapsed * 1000)
            queries.append(len(captured.captured_queries))
    return {"times": times, "queries": queries}


def summary(samples: dict[str, list]) -> dict:
    """Median, 95th percentile, and the median and largest query counts of the runs."""
    times, queries = sorted(samples["times"]), samples["queries"]
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1], 2),
            "queries": round(statistics.median(queries)), "queries_max": max(queries), "runs": len(times)}
