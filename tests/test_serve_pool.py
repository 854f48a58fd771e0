"""The query worker pool on its own: queues, hand-off, time limits, cancellation, worker ends."""

import asyncio
import select
import time

import pytest

from fixtures.serve import make_dist
from kg.serve.pool import Busy, Pool, PoolError, QueryTimeout, WorkerError

BASE = "https://w3id.org/lgdx/id/"
ASK = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    dist = make_dist(tmp_path_factory.mktemp("pool") / "dist")
    return {"path": str(dist / "kg.nt"), "base": BASE, "allowed_services": [], "max_results": 1000}


def run(config, body, size=3, timeout=5.0):
    """Run ``body(pool)`` on a started pool of ``size`` workers, closing it afterwards."""
    async def main():
        pool = Pool(config, size, timeout)
        await pool.start()
        try:
            return await body(pool)
        finally:
            await pool.close()
            assert not pool.workers

    return asyncio.run(main())


def query(pool, text=ASK, untrusted=True):
    return pool.call("sparql", text, JSON, None, None, True, untrusted=untrusted)


def test_many_concurrent_requests_all_answered_in_their_own_reply(config):
    async def body(pool):
        texts = [f"SELECT ?n WHERE {{ BIND({i} AS ?n) }}" for i in range(60)]
        replies = await asyncio.gather(*(query(pool, t, untrusted=i % 2 == 0) for i, t in enumerate(texts)))
        assert pool.untrusted_running == 0 and len(pool.idle) == 3
        return replies

    for i, (kind, fmt, content) in enumerate(run(config, body)):
        assert kind == "bytes" and fmt == "json"
        assert f'"value":"{i}"'.encode() in content  # each caller gets the reply to its own request


def test_client_queries_leave_one_worker_for_the_pages(config):
    async def body(pool):
        slow = [asyncio.ensure_future(query(pool, SLOW)) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert pool.untrusted_running == 2 and len(pool.idle) == 1 and len(pool.queries) == 1
        loop = asyncio.get_running_loop()
        started = loop.time()
        labels = await pool.call("labels", [BASE + "measure/plan-4-01"])
        assert labels and loop.time() - started < 1.0
        for task in slow:
            task.cancel()
        await asyncio.gather(*slow, return_exceptions=True)

    run(config, body, timeout=30)


def test_pages_go_before_queued_queries(config):
    async def body(pool):
        order = []

        async def tracked(name, coro):
            await coro
            order.append(name)

        # one worker: the first query holds it, then a query and a page wait in line
        first = asyncio.ensure_future(tracked("first", query(pool, COUNT)))
        await asyncio.sleep(0)
        queued = asyncio.ensure_future(tracked("query", query(pool, COUNT)))
        page = asyncio.ensure_future(tracked("page", pool.call("labels", [BASE + "measure/plan-4-01"])))
        await asyncio.gather(first, queued, page)
        return order

    assert run(config, body, size=1) == ["first", "page", "query"]


def test_a_query_past_the_time_limit_ends_its_worker_and_a_fresh_one_takes_over(config):
    async def body(pool):
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(QueryTimeout, match="time limit of 1 s"):
            await query(pool, SLOW)
        assert 0.9 < loop.time() - started < 5
        for _ in range(50):  # the replacement starts in the background
            if len(pool.workers) == 2:
                break
            await asyncio.sleep(0.1)
        assert len(pool.workers) == 2
        assert (await query(pool))[2] == b'{"head":{},"boolean":true}'

    run(config, body, size=2, timeout=1.0)


def test_a_request_that_cannot_get_a_worker_in_time_is_refused(config):
    async def body(pool):
        slow = asyncio.ensure_future(query(pool, SLOW))  # may run 30 s
        await asyncio.sleep(0.2)
        pool.timeout = 0.5  # the next request may wait 0.5 s, far less than the slow one holds the worker
        with pytest.raises(Busy, match="busy"):
            await query(pool)
        assert not slow.done()  # refused while the worker was still busy
        slow.cancel()

    run(config, body, size=1, timeout=30)


def test_a_cancelled_queued_request_is_never_sent(config):
    async def body(pool):
        holding = asyncio.ensure_future(query(pool, COUNT))
        await asyncio.sleep(0)
        dropped = asyncio.ensure_future(query(pool, SLOW))
        await asyncio.sleep(0)
        dropped.cancel()
        assert (await holding)[0] == "bytes"
        assert (await query(pool))[2] == b'{"head":{},"boolean":true}'  # not stuck behind SLOW
        assert len(pool.workers) == 1  # nothing was killed

    run(config, body, size=1, timeout=5.0)


def test_a_cancelled_running_request_stops_its_worker(config):
    async def body(pool):
        worker = next(iter(pool.workers))
        task = asyncio.ensure_future(query(pool, SLOW))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(worker.wait(), 5)
        assert (await query(pool))[2] == b'{"head":{},"boolean":true}'  # answered by the replacement

    run(config, body, size=1, timeout=30)


def test_a_worker_that_dies_fails_its_request_and_is_replaced(config):
    async def body(pool):
        worker = next(iter(pool.workers))
        task = asyncio.ensure_future(query(pool, SLOW))
        await asyncio.sleep(0.3)
        worker.process.kill()  # as the kernel's OOM killer would
        with pytest.raises(PoolError, match="ended unexpectedly"):
            await task
        assert (await query(pool))[0] == "bytes"

    run(config, body, size=1, timeout=30)


def test_worker_errors_keep_the_worker(config):
    async def body(pool):
        worker = next(iter(pool.workers))
        with pytest.raises(WorkerError) as info:
            await query(pool, "SELECT WHERE {")
        assert info.value.status == 400 and "malformed" in info.value.message
        assert pool.workers == {worker} and (await query(pool))[0] == "bytes"

    run(config, body, size=1)


def test_a_worker_that_cannot_load_the_store_is_a_clear_error(tmp_path):
    broken = tmp_path / "kg.nt"
    broken.write_text("<a> <b> .\n", encoding="utf-8")

    async def main():
        pool = Pool({"path": str(broken), "base": BASE, "allowed_services": [], "max_results": 10}, 1, 5.0)
        with pytest.raises(PoolError, match="could not load the store"):
            await pool.start()

    asyncio.run(main())


def test_a_worker_killed_with_its_reply_in_the_pipe_takes_no_further_job(config):
    async def body(pool):
        worker = next(iter(pool.workers))
        first = asyncio.ensure_future(query(pool, COUNT))
        await asyncio.sleep(0)
        page = asyncio.ensure_future(pool.call("labels", [BASE + "measure/plan-4-01"]))
        await asyncio.sleep(0)
        assert pool.pages  # the page waits for the only worker
        # the reply is written before the worker is stopped, as when a time limit falls just then
        while not select.select([worker.out], [], [], 0)[0]:
            time.sleep(0.01)
        worker.kill(timed_out=True)
        assert (await first)[0] == "bytes"  # its reply still arrives
        assert await page  # and the page goes to the fresh worker, not the stopped one

    run(config, body, size=1, timeout=30)
