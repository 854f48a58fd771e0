"""A query worker: a child process holding its own store, answering one request at a time.

Requests and replies are length-prefixed pickles on stdin and stdout. Running queries
in child processes keeps the server responsive during a slow query, and lets it stop a
query that runs past its time limit by ending the process (pyoxigraph cannot cancel one).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
import time

HEADER = struct.Struct("!I")


def write_frame(stream, value) -> None:
    """Write ``value`` as one frame."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream):
    """Read one frame, or ``None`` at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def watch_parent(interval: float = 0.5) -> None:
    """End this process if the server goes away, even in the middle of a long query."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    """Answer the server until it closes the pipe or goes away (then quietly: it stopped this worker)."""
    try:
        serve()
    except BrokenPipeError:
        pass


def serve() -> None:
    """Load the store named by the first frame, then answer requests until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    watch_parent()
    inp, out = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    sys.stdout = sys.stderr  # nothing but frames may reach the server's pipe
    config = read_frame(inp)
    if config is None:
        return

    from kg.remote import RemoteError
    from kg.serve import fetch

    started = time.perf_counter()
    try:
        data = fetch.load(config["path"], config["base"], config["allowed_services"], config["max_results"],
                          config.get("store"))
        triples = len(data.store)
    except RemoteError as exc:  # kg serve --store with a store that cannot be read: said once, by the server
        write_frame(out, ("failed", str(exc)))
        return
    write_frame(out, ("ready", {"triples": triples, "seconds": time.perf_counter() - started}))
    forget = getattr(data.store, "forget", None)  # a remote store's cache lasts one request
    while (request := read_frame(inp)) is not None:
        op, args = request
        if forget is not None:
            forget()
        write_frame(out, answer(data, op, args))


def answer(data, op: str, args: tuple) -> tuple:
    """The reply to one request: ``("ok", value)``, or ``("error", kind, message, fix)``."""
    from kg.errors import QueryError
    from kg.remote import RemoteError
    from kg.serve import fetch

    try:
        return ("ok", fetch.OPERATIONS[op](data, *args))
    except QueryError as exc:
        return ("error", "query", exc.message, exc.fix)
    except fetch.TooManyResults as exc:
        return ("error", "limit", str(exc), "add LIMIT, or narrow the query")
    except RemoteError as exc:
        return ("error", "store", exc.message, exc.fix)
    except Exception as exc:  # reported to the client as a 500; the worker carries on
        return ("error", "internal", f"{type(exc).__name__}: {exc}", None)


if __name__ == "__main__":
    main()
