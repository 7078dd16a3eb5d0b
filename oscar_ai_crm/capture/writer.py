"""Where captured events are written: inline, or by a background thread off the request path.

In ``"background"`` mode (the default) a receiver only puts the event on an in-process queue
(microseconds); a daemon thread writes queued events in batches, one transaction per batch.
The shopper's response never waits for the database. Up to ``BACKGROUND_FLUSH_SECONDS`` of
events can be lost if the process is killed; a full queue drops new events with a warning
rather than grow without bound. Shop records (orders, reviews) are always written inline.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from django.db import close_old_connections, connections, transaction

from ..conf import crm_settings
from . import clock
from .identity import Visitor
from .recorder import EventData, record_events

logger = logging.getLogger(__name__)
IDLE_SECONDS = 30.0  # close the writer's connection after this long without events
_RELEASE: Any = object()  # queue item asking the writer to close its connection
_FLUSH: Any = object()  # queue item asking the writer to write its batch now
_SIGNALS = (_RELEASE, _FLUSH)
_force_inline: ContextVar[bool] = ContextVar("oscar_ai_crm_force_inline", default=False)
Item = tuple[Visitor, Sequence[EventData]]


def write_events(visitor: Visitor, events: Sequence[EventData]) -> None:
    """Record ``events`` now, or hand them to the background writer (per the settings)."""
    if _force_inline.get() or crm_settings.CAPTURE["WRITE_MODE"] != "background":
        record_events(visitor, events)
        return
    stamped = [
        data if data.created_at else replace(data, created_at=clock.now()) for data in events
    ]
    _writer().submit((visitor, stamped))


@contextmanager
def inline_writes() -> Iterator[None]:
    """Write every event inside the block inline (bulk imports, replays, scripts)."""
    token = _force_inline.set(True)
    try:
        yield
    finally:
        _force_inline.reset(token)


def flush_pending_events(timeout: float = 10.0, release_connection: bool = False) -> bool:
    """Wait until the background writer has written everything queued so far.

    ``release_connection`` also has it close its database connection (e.g. before the
    database is dropped at the end of a test run).
    """
    if _current is None or _current.pid != os.getpid():
        return True  # nothing was queued by this process
    if release_connection:
        _current.release_connection()
    return _current.flush(timeout)


class BackgroundWriter:
    """A queue and a daemon thread that drains it in batches."""

    def __init__(self, max_queue: int, flush_seconds: float, batch_size: int = 200) -> None:
        self.queue: queue.Queue[Item] = queue.Queue(maxsize=max_queue)
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="oscar-ai-crm-writer", daemon=True)
        self.thread.start()

    def submit(self, item: Item) -> None:
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            logger.warning("oscar_ai_crm: capture queue full; an event was dropped")

    def flush(self, timeout: float) -> bool:
        """Write the open batch now and wait until the queue is drained."""
        try:
            self.queue.put_nowait(_FLUSH)
        except queue.Full:
            pass  # a full queue is written at once anyway
        done = threading.Event()

        def wait_for_queue() -> None:
            self.queue.join()
            done.set()

        threading.Thread(target=wait_for_queue, daemon=True).start()
        return done.wait(timeout)

    def release_connection(self) -> None:
        """Ask the thread to close its database connection now (it reopens when needed)."""
        self.queue.put(_RELEASE)

    def _run(self) -> None:
        while True:
            try:
                first = self.queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                connections.close_all()  # idle: hold no database connection between bursts
                continue
            batch = self._fill_batch([first])
            self._write([item for item in batch if item not in _SIGNALS])
            if _RELEASE in batch:
                connections.close_all()
            for _ in batch:
                self.queue.task_done()

    def _fill_batch(self, batch: list) -> list:
        """Add queued items until the batch is full, ``flush_seconds`` have passed, or a
        flush or release is asked for."""
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < self.batch_size and batch[-1] not in _SIGNALS:
            try:
                batch.append(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def _write(self, batch: list[Item]) -> None:
        if not batch:
            return
        close_old_connections()
        try:
            with transaction.atomic():  # one commit per batch; a savepoint per item
                for visitor, events in batch:
                    self._write_one(visitor, events)
        except Exception:
            logger.exception("oscar_ai_crm: a batch of %d captured events was lost", len(batch))
            connections.close_all()

    @staticmethod
    def _write_one(visitor: Visitor, events: Sequence[EventData]) -> None:
        try:
            record_events(visitor, events)
        except Exception:
            logger.exception("oscar_ai_crm: a captured event could not be written")


_current: BackgroundWriter | None = None
_lock = threading.Lock()


def _writer() -> BackgroundWriter:
    """This process's writer, started on first use (and again in a forked child)."""
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            capture = crm_settings.CAPTURE
            _current = BackgroundWriter(
                capture["BACKGROUND_QUEUE_SIZE"], capture["BACKGROUND_FLUSH_SECONDS"]
            )
        return _current


atexit.register(flush_pending_events, 2.0)
