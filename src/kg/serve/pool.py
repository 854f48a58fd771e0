"""The pool of query workers, used from the server's event loop.

Requests wait in the pool's queues; a worker that sends its reply is given the next
request from inside the event loop's read callback, before the caller of the finished
request resumes, so no worker waits for the loop to come round. A request that runs past
its time limit ends its worker (the only way to stop a query in pyoxigraph) and a fresh
worker takes its place in the background.
"""

from __future__ import annotations

import asyncio
import collections
import os
import pickle
import subprocess
import sys

from kg.serve.worker import HEADER, answer


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
    """The worker reported an error: ``kind`` is ``query`` or ``limit`` (400: the client can change the
    query), ``store`` (502: the remote store of ``kg serve --store`` failed) or ``internal`` (500)."""

    STATUS = {"query": 400, "limit": 400, "store": 502}

    def __init__(self, kind: str, message: str, fix: str | None):
        super().__init__(message, fix)
        self.kind = kind
        self.status = self.STATUS.get(kind, 500)


class Job:
    """One request: its frame, the future of its reply, and the worker answering it."""

    __slots__ = ("frame", "untrusted", "future", "worker")

    def __init__(self, value, untrusted: bool, future: asyncio.Future):
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.frame = HEADER.pack(len(payload)) + payload
        self.untrusted = untrusted
        self.future = future
        self.worker: Worker | None = None


class Worker:
    """One child process and its pipes, read by the event loop (no thread, no stream objects).

    It answers one :class:`Job` at a time; ``on_reply(worker, job)`` (before the job's future
    gets the reply) and ``on_exit(worker, job)`` tell the pool when it is free again or has ended.
    """

    def __init__(self, process: subprocess.Popen, loop: asyncio.AbstractEventLoop):
        self.process = process
        self.loop = loop
        self.timed_out = False
        self.killed = False  # ending: a reply still in the pipe is delivered, no new job is taken
        self.buffer = bytearray()
        self.job: Job | None = None
        self.on_reply = self.on_exit = None
        self.eof = False
        self.out = process.stdout.fileno()
        self.inp = process.stdin.fileno()
        os.set_blocking(self.out, False)
        loop.add_reader(self.out, self._readable)

    @classmethod
    async def start(cls, config: dict) -> "Worker":
        process = subprocess.Popen([sys.executable, "-m", "kg.serve.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, bufsize=0)
        loop = asyncio.get_running_loop()
        worker = cls(process, loop)
        job = Job(config, False, loop.create_future())
        try:
            worker.send(job)
            status, info = pickle.loads(await job.future)
        except (EOFError, BrokenPipeError):
            worker.kill()
            await worker.wait()
            worker.close()
            raise PoolError("a query worker could not load the store (its error is above)") from None
        if status != "ready":
            worker.kill()
            await worker.wait()
            worker.close()
            raise PoolError(f"a query worker could not start: {info}")
        worker.info = info
        return worker

    def send(self, job: Job) -> None:
        """Write ``job``'s frame; the pipe is blocking on this side and small frames go in one write."""
        self.job, job.worker = job, self
        data = memoryview(job.frame)
        while data:
            written = os.write(self.inp, data)
            data = data[written:]

    def _readable(self) -> None:
        try:
            chunk = os.read(self.out, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._ended()
            return
        self.buffer += chunk
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + size:
                return
            payload = bytes(self.buffer[HEADER.size:HEADER.size + size])
            del self.buffer[:HEADER.size + size]
            job, self.job = self.job, None
            if self.on_reply is not None:
                self.on_reply(self, job)  # the next request goes out before this one's caller resumes
            if job is not None and not job.future.done():
                job.future.set_result(payload)

    def _ended(self) -> None:
        self.eof = True
        self.loop.remove_reader(self.out)
        job, self.job = self.job, None
        if job is not None and not job.future.done():
            job.future.set_exception(EOFError())
        if self.on_exit is not None:
            self.on_exit(self, job)

    def kill(self, timed_out: bool = False) -> None:
        self.killed = True
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
    whose reads are bounded, always find a worker even while slow queries run. Pages go
    first when a worker comes free; each queue is served in arrival order.
    """

    def __init__(self, config: dict, size: int = 3, timeout: float = 10.0):
        self.config = config
        self.size = size
        self.timeout = timeout
        self.untrusted_limit = max(1, size - 1)
        self.untrusted_running = 0
        self.idle: list[Worker] = []
        self.pages: collections.deque[Job] = collections.deque()
        self.queries: collections.deque[Job] = collections.deque()
        self.workers: set[Worker] = set()
        self.tasks: set[asyncio.Task] = set()
        self.closed = False
        self.info: dict = {}

    async def start(self) -> None:
        """Start every worker; return when all have loaded the store."""
        workers = await asyncio.gather(*(Worker.start(self.config) for _ in range(self.size)))
        for worker in workers:
            self._enrol(worker)
        self.info = workers[0].info

    def _enrol(self, worker: Worker) -> None:
        worker.on_reply, worker.on_exit = self._replied, self._exited
        self.workers.add(worker)
        self.idle.append(worker)
        self._dispatch()

    def _next_job(self) -> Job | None:
        """The next request a free worker may take, dropping those whose caller has gone."""
        for queue, allowed in ((self.pages, True), (self.queries, self.untrusted_running < self.untrusted_limit)):
            while queue and queue[0].future.done():
                queue.popleft()
            if queue and allowed:
                return queue.popleft()
        return None

    def _dispatch(self) -> None:
        """Give waiting requests to idle workers."""
        while self.idle and (job := self._next_job()) is not None:
            worker = self.idle.pop()
            try:
                worker.send(job)
            except OSError:  # the worker has just ended (its end is reported by the read callback):
                job.worker = worker.job = None  # the job goes back to the head of its queue
                (self.queries if job.untrusted else self.pages).appendleft(job)
                worker.kill()
                continue
            self.untrusted_running += job.untrusted

    def _replied(self, worker: Worker, job: Job | None) -> None:
        if job is not None:
            self.untrusted_running -= job.untrusted
        if not worker.killed:  # a reply that beat its worker's end: the worker takes no more jobs
            self.idle.append(worker)
        self._dispatch()

    def _exited(self, worker: Worker, job: Job | None) -> None:
        if job is not None:
            self.untrusted_running -= job.untrusted
        if worker in self.idle:
            self.idle.remove(worker)
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
        self._enrol(fresh)

    def _expire(self, job: Job) -> None:
        """The time limit: a waiting request is refused, a running one ends its worker."""
        if job.future.done():
            return
        if job.worker is None:
            job.future.set_exception(Busy("every query worker is busy", "try again in a moment"))
        else:
            job.worker.kill(timed_out=True)

    async def call(self, op: str, *args, untrusted: bool = False):
        """Run ``op`` with ``args`` in a worker; raise a :class:`PoolError` on failure."""
        loop = asyncio.get_running_loop()
        job = Job((op, args), untrusted, loop.create_future())
        timer = loop.call_later(self.timeout, self._expire, job)
        (self.queries if untrusted else self.pages).append(job)
        self._dispatch()
        try:
            payload = await job.future
        except EOFError:
            if job.worker.timed_out:
                raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s",
                                   "add LIMIT, narrow the patterns or avoid cross joins") from None
            raise PoolError("the query worker ended unexpectedly") from None
        except asyncio.CancelledError:  # the caller went away: stop its request if it is running
            if job.worker is not None and job.worker.job is job:
                job.worker.kill()
            raise
        finally:
            timer.cancel()
        reply = pickle.loads(payload)
        if reply[0] == "ok":
            return reply[1]
        raise WorkerError(*reply[1:])

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


class LocalPool:
    """The pool's interface over a store held in this process, for rendering the pages without
    serving them (``kg publish``): each call answers at once, as a worker would."""

    def __init__(self, data):
        self.data = data
        self.info = {"triples": len(data.store)}

    async def call(self, op: str, *args, untrusted: bool = False):
        """Run ``op`` with ``args``; raise a :class:`WorkerError` as a worker's reply would."""
        reply = answer(self.data, op, args)
        if reply[0] == "ok":
            return reply[1]
        raise WorkerError(*reply[1:])
