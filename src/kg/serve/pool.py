"""The pool of query workers, used from the server's event loop.

Each call takes an idle worker, sends one request and awaits the reply without a thread.
A call that runs past its time limit ends its worker (the only way to stop a query in
pyoxigraph) and a fresh worker takes its place in the background.
"""

from __future__ import annotations

import asyncio
import pickle
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
    """One child process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.timed_out = False

    @classmethod
    async def start(cls, config: dict) -> "Worker":
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kg.serve.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2 ** 20)
        worker = cls(process)
        worker.send(config)
        try:
            status, info = await worker.receive()
        except asyncio.IncompleteReadError:
            raise PoolError("a query worker could not load the store (its error is above)") from None
        if status != "ready":  # pragma: no cover - the worker only ever answers "ready" first
            raise PoolError(f"worker did not start: {info}")
        worker.info = info
        return worker

    def send(self, value) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(HEADER.pack(len(payload)) + payload)

    async def receive(self):
        stdout = self.process.stdout
        (size,) = HEADER.unpack(await stdout.readexactly(HEADER.size))
        return pickle.loads(await stdout.readexactly(size))

    def kill(self, timed_out: bool = False) -> None:
        self.timed_out = self.timed_out or timed_out
        if self.process.returncode is None:
            try:
                self.process.kill()
            except ProcessLookupError:  # pragma: no cover - ended between the check and the kill
                pass


class Pool:
    """``size`` workers, each loading the N-Triples dump named in ``config``."""

    def __init__(self, config: dict, size: int = 2, timeout: float = 10.0):
        self.config = config
        self.size = size
        self.timeout = timeout
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.tasks: set[asyncio.Task] = set()
        self.closed = False
        self.info: dict = {}

    async def start(self) -> None:
        """Start every worker; return when all have loaded the store."""
        workers = await asyncio.gather(*(Worker.start(self.config) for _ in range(self.size)))
        for worker in workers:
            self.workers.add(worker)
            self.idle.put_nowait(worker)
        self.info = workers[0].info

    async def call(self, op: str, *args, timeout: float | None = None):
        """Run ``op`` with ``args`` in a worker; raise a :class:`PoolError` on failure."""
        loop = asyncio.get_running_loop()
        limit = self.timeout if timeout is None else timeout
        deadline = loop.time() + limit
        try:
            worker = self.idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self.idle.get(), limit)
            except asyncio.TimeoutError:
                raise Busy("every query worker is busy", "try again in a moment") from None
        timer = loop.call_at(deadline, worker.kill, True)
        try:
            worker.send((op, args))
            reply = await worker.receive()
        except (asyncio.IncompleteReadError, BrokenPipeError, ConnectionResetError):
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
        self.idle.put_nowait(worker)
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
        await old.process.wait()
        fresh = await Worker.start(self.config)
        if self.closed:
            fresh.kill()
            await fresh.process.wait()
            return
        self.workers.add(fresh)
        self.idle.put_nowait(fresh)

    async def close(self) -> None:
        """Stop every worker and wait for them to end."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        for worker in list(self.workers):
            if worker.process.stdin:
                worker.process.stdin.close()
            worker.kill()
        for worker in list(self.workers):
            await worker.process.wait()
        self.workers.clear()
