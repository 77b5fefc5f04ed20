"""Run the same work from several threads at the same moment, as two workers or a gateway's
retries racing would (each thread on its own database connection, closed at the end)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def together(work: Callable[[], object], workers: int) -> list:
    """Call `work` from `workers` threads at the same moment; answer what each answered (an
    exception it raised is its answer)."""
    barrier, answers = threading.Barrier(workers), []

    def run():
        try:
            barrier.wait(10)
            answers.append(work())
        except Exception as error:
            answers.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def at_once(work: Callable[[], object], workers: int) -> list[Exception]:
    """Start `workers` threads that call `work` together; answer the exceptions they raised."""
    return [answer for answer in together(work, workers) if isinstance(answer, Exception)]
