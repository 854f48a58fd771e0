"""The pool of query workers, used from the server's event loop.

Each call takes an idle worker, sends one request and awaits the reply without a thread.
A call that runs past its time limit ends its worker (the only way to stop a query in
pyoxigraph) and a fresh worker takes its place in the background.
"""

from __future__ import annotations

import asyncio
import collections
import os
import pickle
import subprocess
import sys

from kg.serve.worker import HEADER


class PoolError(Exception):
    """A request the pool could not answer; ``status`` is the HTTP status to send."""

    status = 500

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix


class QueryTimeout(PoolError):
    """The request ran past the time limit."""

    status = 503


class Busy(PoolError):
    """No worker became free within the time limit."""

    status = 503


class WorkerError(PoolError):
    """The worker reported an error: ``kind`` is ``query`` (400), ``limit`` or ``internal`` (500)."""

    def __init__(self, kind: str, message: str, fix: str | None):
        super().__init__(message, fix)
        self.kind = kind
        self.status = 400 if kind == "query" else 500


class Worker:
    """One child process and its pipes, read by the event loop (no thread, no stream objects)."""

    def __init__(self, process: subprocess.Popen, loop: asyncio.AbstractEventLoop):
        self.process = process
        self.loop = loop
        self.timed_out = False
        self.buffer = bytearray()
        self.waiting: asyncio.Future | None = None
        self.eof = False
        self.out = process.stdout.fileno()
        self.inp = process.stdin.fileno()
        os.set_blocking(self.out, False)
        loop.add_reader(self.out, self._readable)

    @classmethod
    async def start(cls, config: dict) -> "Worker":
        process = subprocess.Popen([sys.executable, "-m", "kg.serve.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, bufsize=0)
        worker = cls(process, asyncio.get_running_loop())
        worker.send(config)
        try:
            status, info = await worker.receive()
        except EOFError:
            raise PoolError("a query worker could not load the store (its error is above)") from None
        if status != "ready":  # pragma: no cover - the worker only ever answers "ready" first
            raise PoolError(f"worker did not start: {info}")
        worker.info = info
        return worker

    def send(self, value) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        data = memoryview(HEADER.pack(len(payload)) + payload)
        while data:  # the pipe is blocking on this side: small frames go in one write
            written = os.write(self.inp, data)
            data = data[written:]

    def _readable(self) -> None:
        try:
            chunk = os.read(self.out, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if chunk:
            self.buffer += chunk
        else:
            self.eof = True
            self.loop.remove_reader(self.out)
        self._deliver()

    def _deliver(self) -> None:
        waiting = self.waiting
        if waiting is None or waiting.done():
            return
        if len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if len(self.buffer) >= HEADER.size + size:
                payload = bytes(self.buffer[HEADER.size:HEADER.size + size])
                del self.buffer[:HEADER.size + size]
                self.waiting = None
                waiting.set_result(payload)
                return
        if self.eof:
            self.waiting = None
            waiting.set_exception(EOFError())

    async def receive(self):
        """The next frame from the worker; ``EOFError`` if it ended first."""
        self.waiting = self.loop.create_future()
        self._deliver()
        return pickle.loads(await self.waiting)

    def kill(self, timed_out: bool = False) -> None:
        self.timed_out = self.timed_out or timed_out
        if self.process.poll() is None:
            try:
                self.process.kill()
            except ProcessLookupError:  # pragma: no cover - ended between the check and the kill
                pass

    def close(self) -> None:
        """Forget the pipes (after the process has ended or been killed)."""
        if not self.eof:
            self.loop.remove_reader(self.out)
            self.eof = True
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:  # pragma: no cover
                pass

    async def wait(self) -> None:
        """Wait for the process to end without blocking the loop."""
        while self.process.poll() is None:
            await asyncio.sleep(0.02)


class Pool:
    """``size`` workers, each loading the N-Triples dump named in ``config``.

    Queries sent by clients (``untrusted``) may hold all workers but one, so that the pages,
    whose reads are bounded, always find a worker even while slow queries run.
    """

    def __init__(self, config: dict, size: int = 3, timeout: float = 10.0):
        self.config = config
        self.size = size
        self.timeout = timeout
        self.untrusted_slots = asyncio.Semaphore(max(1, size - 1))
        self.idle: list[Worker] = []
        self.waiters: collections.deque[asyncio.Future] = collections.deque()
        self.workers: set[Worker] = set()
        self.tasks: set[asyncio.Task] = set()
        self.closed = False
        self.info: dict = {}

    async def start(self) -> None:
        """Start every worker; return when all have loaded the store."""
        workers = await asyncio.gather(*(Worker.start(self.config) for _ in range(self.size)))
        for worker in workers:
            self.workers.add(worker)
            self._release(worker)
        self.info = workers[0].info

    def _release(self, worker: Worker) -> None:
        """Hand ``worker`` to the longest-waiting call, or put it back among the idle."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self.idle.append(worker)

    async def _acquire(self, loop, deadline: float) -> Worker:
        if self.idle:
            return self.idle.pop()
        waiter = loop.create_future()
        self.waiters.append(waiter)
        timer = loop.call_at(deadline, lambda: waiter.done() or waiter.set_exception(
            Busy("every query worker is busy", "try again in a moment")))
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed over just as the caller went away
            raise
        finally:
            timer.cancel()

    async def call(self, op: str, *args, untrusted: bool = False):
        """Run ``op`` with ``args`` in a worker; raise a :class:`PoolError` on failure."""
        if not untrusted:
            return await self._call(op, args, self.timeout)
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self.untrusted_slots.locked():
            try:
                await asyncio.wait_for(self.untrusted_slots.acquire(), self.timeout)
            except asyncio.TimeoutError:
                raise Busy("every query worker is busy", "try again in a moment") from None
        else:
            await self.untrusted_slots.acquire()
        try:
            remaining = self.timeout - (loop.time() - started)
            if remaining <= 0:
                raise Busy("every query worker is busy", "try again in a moment")
            return await self._call(op, args, remaining, self.timeout)
        finally:
            self.untrusted_slots.release()

    async def _call(self, op: str, args: tuple, remaining: float, limit: float | None = None):
        loop = asyncio.get_running_loop()
        limit = limit or remaining
        deadline = loop.time() + remaining
        worker = await self._acquire(loop, deadline)
        timer = loop.call_at(deadline, worker.kill, True)
        try:
            worker.send((op, args))
            reply = await worker.receive()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._replace(worker)
            if worker.timed_out:
                raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s",
                                   "add LIMIT, narrow the patterns or avoid cross joins") from None
            raise PoolError("the query worker ended unexpectedly") from None
        except BaseException:  # cancelled mid-request: the pipe's state is unknown, start afresh
            worker.kill()
            self._replace(worker)
            raise
        finally:
            timer.cancel()
        self._release(worker)
        if reply[0] == "ok":
            return reply[1]
        raise WorkerError(*reply[1:])

    def _replace(self, worker: Worker) -> None:
        self.workers.discard(worker)
        worker.kill()
        if self.closed:
            return
        task = asyncio.get_running_loop().create_task(self._respawn(worker))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _respawn(self, old: Worker) -> None:
        await old.wait()
        old.close()
        fresh = await Worker.start(self.config)
        if self.closed:
            fresh.kill()
            await fresh.wait()
            fresh.close()
            return
        self.workers.add(fresh)
        self._release(fresh)

    async def close(self) -> None:
        """Stop every worker and wait for them to end."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        for worker in list(self.workers):
            worker.kill()
        for worker in list(self.workers):
            await worker.wait()
            worker.close()
        self.workers.clear()
