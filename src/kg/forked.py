"""Work run in a forked child process beside this one's threads.

A build validates on the store (pyoxigraph lets go of the interpreter lock while it queries,
but the results are Python objects) while it writes the dumps (Python through and through).
In one process the two take turns at the interpreter lock; a forked child shares the loaded
data copy-on-write and has a lock of its own, so both cores work. Where ``fork`` is not
available the work runs on a thread, as before.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from kg.errors import KgError

T = TypeVar("T")


class ChildError(KgError):
    """The child ended without an answer (killed, or its error could not be passed back)."""


class Forked(Generic[T]):
    """``work()`` started in a child at once; ``result()`` waits for its value or raises its error."""

    def __init__(self, work: Callable[[], T]):
        self._future: Future | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            pool = ThreadPoolExecutor(1)
            self._future = pool.submit(work)
            pool.shutdown(wait=False)
            return
        context = multiprocessing.get_context("fork")
        self._answers, sending = context.Pipe(duplex=False)
        self._child = context.Process(target=_run, args=(work, sending), daemon=True)
        self._child.start()
        sending.close()

    def result(self) -> T:
        if self._future is not None:
            return self._future.result()
        try:
            ok, value = self._answers.recv()
        except EOFError:
            self._child.join()
            raise ChildError(f"the writing process ended with code {self._child.exitcode} before it finished",
                             fix="run again; if it happens again, run with --verbose and report it") from None
        finally:
            self._answers.close()
        self._child.join()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (the caller gave up on its result) and wait until it is gone."""
        if self._future is None and self._child.is_alive():
            self._child.terminate()
            self._child.join()


def _run(work: Callable, answers) -> None:
    try:
        answer = (True, work())
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the parent
        answer = (False, exc)
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - an error that cannot cross: send its text instead
            answer = (False, ChildError("".join(traceback.format_exception(exc)).rstrip()))
    answers.send(answer)
    answers.close()
