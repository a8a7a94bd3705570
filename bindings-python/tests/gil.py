"""One helper for the GIL-release tests: run a long call while another Python thread counts, and
check the counter made progress well inside the call (a held GIL lets it run only in the switch
intervals at the edges of the call)."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

MARGIN = 0.05


def progress_during(call: Callable[[], Any]) -> tuple[Any, int, float]:
    """Runs `call` while another thread counts; returns the call's result, the counter's steps
    of progress strictly inside the call (more than `MARGIN` from either edge), and how long the
    call lasted."""
    stamps: list[float] = []
    stop = threading.Event()

    def count() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            if n % 1000 == 0:
                stamps.append(time.perf_counter())

    worker = threading.Thread(target=count)
    worker.start()
    try:
        time.sleep(0.05)
        start = time.perf_counter()
        result = call()
        end = time.perf_counter()
    finally:
        stop.set()
        worker.join()
    inside = [s for s in stamps if start + MARGIN < s < end - MARGIN]
    return result, len(inside), end - start


def long_enough(seconds: float) -> bool:
    """Whether a call this long can show the difference."""
    return seconds > 2 * MARGIN + 0.1
