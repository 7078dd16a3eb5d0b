"""Descriptions for many products: selection, batches of ``BATCH_SIZE``, a bounded pool.

A :class:`~oscar_ai_crm.models.GenerationBatch` holds the options and product ids of one
django-q2 task. :func:`run_batch` reads products in chunks in the calling thread, sends
their requests to ``LLM["CONCURRENCY"]`` worker threads no faster than
``LLM["REQUESTS_PER_MINUTE"]``, and saves each draft and the batch's counts as answers
arrive. Workers only call the backend (plain values in, plain values out); the database
stays in the calling thread. One product's failure is counted and listed with its error,
and the batch goes on.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_model

from ..conf import crm_settings
from ..llm.types import Generation, GenerationRequest, LLMBackend
from ..models import BatchStatus, DescriptionDraft, DraftStatus, GenerationBatch
from ..queueing import enqueue
from .descriptions import DescriptionJob, PreparedDraft, describe_error
from .prompts import DescriptionOptions, parse_keywords

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

TASK = "oscar_ai_crm.tasks.generate_descriptions"
Progress = Callable[[str], None]


def select_product_ids(
    ids: Iterable[int] | None = None, category: str | None = None, all_products: bool = False
) -> list[int]:
    """Product ids by explicit ids, a category (name or full path, with its subcategories)
    or all products (child products are left out: their parent carries the description).

    Raises ``ValueError`` for no selection, unknown ids or an unknown category.
    """
    if sum([ids is not None, bool(category), all_products]) != 1:
        raise ValueError("Choose exactly one of: product ids, a category, all products.")
    if ids is not None:
        wanted = list(dict.fromkeys(int(pk) for pk in ids))
        if not wanted:
            raise ValueError("No product ids given.")
        found = set(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if missing := [pk for pk in wanted if pk not in found]:
            raise ValueError(f"No product with id {', '.join(map(str, missing))}.")
        return wanted
    products = Product.objects.exclude(structure=Product.CHILD)
    if category:
        products = products.filter(categories__in=categories_named(category))
    return list(products.order_by("pk").values_list("pk", flat=True).distinct())


def parse_ids(text: str) -> list[int]:
    """Product ids from "1, 2, 3"; ``ValueError`` when a part is not a number."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if bad := [part for part in parts if not part.isdigit()]:
        raise ValueError(f"Product ids are whole numbers separated by commas, not {bad[0]!r}.")
    return [int(part) for part in parts]


def categories_named(text: str) -> list[Any]:
    """Categories whose name or full path ("Clothing > Shirts") is ``text`` (any case),
    with all their subcategories."""
    parts = [part.strip() for part in text.split(">")]
    matches = list(Category.objects.filter(name__iexact=parts[-1]))
    if len(parts) > 1:  # a path: the named leaves whose ancestors match too
        path = " > ".join(parts).casefold()
        matches = [category for category in matches if category.full_name.casefold() == path]
    if not matches:
        raise ValueError(f"No category named {text!r}.")
    subtree = Q()
    for category in matches:  # materialised paths: a subcategory's path extends its parent's
        subtree |= Q(path__startswith=category.path)
    return list(Category.objects.filter(subtree))


def create_batches(
    product_ids: list[int], options: dict[str, Any], user: Any = None
) -> list[GenerationBatch]:
    """Batches of ``LLM["BATCH_SIZE"]`` products, status ``queued``.

    ``options``: tone, length, language, keywords, backend (alias or None), force.
    Raises ``ValueError`` for unknown options or backend alias and for no products.
    """
    options = clean_options(options)
    if not product_ids:
        raise ValueError("No products to describe.")
    size = max(1, int(crm_settings.LLM["BATCH_SIZE"]))
    return [
        GenerationBatch.objects.create(
            options=options, product_ids=chunk, total=len(chunk), created_by=user
        )
        for chunk in chunked(product_ids, size)
    ]


def clean_options(options: dict[str, Any]) -> dict[str, Any]:
    """The batch options, checked and normalised (keywords as a list, the backend alias)."""
    checked = DescriptionOptions(
        options["tone"],
        options["length"],
        options["language"],
        parse_keywords(options.get("keywords")),
    ).validate()
    backend = options.get("backend") or crm_settings.LLM["BACKEND"]
    if backend not in crm_settings.LLM["BACKENDS"]:
        known = ", ".join(crm_settings.LLM["BACKENDS"])
        raise ValueError(f"Unknown backend {backend!r}; configured: {known}.")
    return {**checked.as_dict(), "backend": backend, "force": bool(options.get("force"))}


def queue_batches(batches: list[GenerationBatch]) -> None:
    """Queue one django-q2 task per batch once the batches are committed."""
    for batch in batches:
        transaction.on_commit(functools.partial(enqueue, TASK, batch.pk))


def chunked(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RateLimiter:
    """At most ``per_minute`` calls a minute, spread evenly, shared by the worker threads."""

    def __init__(self, per_minute: float | None) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the caller may send its request."""
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


def call_backend(
    backend: LLMBackend, request: GenerationRequest, limiter: RateLimiter
) -> Generation:
    """Worker thread: one rate-limited backend call. Database connections a custom
    backend may have opened in this thread are closed, so none leak."""
    try:
        limiter.wait()
        return backend.generate(request)
    finally:
        connections.close_all()


def run_batch(batch_id: int, progress: Progress | None = None) -> GenerationBatch:
    """Generate the batch's drafts; returns the batch with its final counts.

    A batch already ``done`` is returned as it is (a repeated task changes nothing).
    """
    say = progress or logger.info
    batch = GenerationBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status == BatchStatus.DONE:
        return batch
    _start(batch)
    try:
        job = DescriptionJob.create(
            **{k: batch.options.get(k) for k in ("tone", "length", "language", "keywords")},
            backend_alias=batch.options.get("backend"),
            user=batch.created_by,
            batch=batch,
            force=bool(batch.options.get("force")),
        )
    except Exception as exc:  # options or backend no longer valid: nothing can run
        return _finish(batch, BatchStatus.FAILED, say, error=describe_error(exc))
    BatchRunner(batch, job, say).run()
    return _finish(batch, BatchStatus.DONE, say)


def _start(batch: GenerationBatch) -> None:
    batch.status, batch.started_at, batch.finished_at = BatchStatus.RUNNING, timezone.now(), None
    batch.done = batch.created = batch.skipped = batch.flagged = batch.failed = 0
    batch.errors = []
    batch.save()


def _finish(batch: GenerationBatch, status: str, say: Progress, error: str = "") -> GenerationBatch:
    batch.status, batch.finished_at = status, timezone.now()
    if error:
        batch.errors = [*batch.errors, {"product": None, "error": error}]
    batch.save()
    counts = ", ".join(f"{k} {v}" for k, v in batch.summary().items())
    say(f"Batch {batch.pk}: {batch.get_status_display().lower()} ({counts}){error and ': '}{error}")
    return batch


class BatchRunner:
    """Runs one batch: chunks of products, a thread pool for the backend calls."""

    def __init__(self, batch: GenerationBatch, job: DescriptionJob, say: Progress) -> None:
        self.batch, self.job, self.say = batch, job, say
        llm = crm_settings.LLM
        self.workers = max(1, int(llm["CONCURRENCY"]))
        # Rate limits are the quotas of remote APIs; a local backend is bounded by the
        # number of workers alone.
        per_minute = llm["REQUESTS_PER_MINUTE"] if job.backend.external else None
        self.limiter = RateLimiter(per_minute)
        self.chunk_size = max(20, 4 * self.workers)

    def run(self) -> None:
        with ThreadPoolExecutor(self.workers, thread_name_prefix="crm-descriptions") as pool:
            for chunk in chunked(list(self.batch.product_ids), self.chunk_size):
                pending = self._submit(pool, chunk)
                for future in as_completed(pending):
                    self._receive(pending[future], future)

    def _submit(
        self, pool: ThreadPoolExecutor, chunk: list[int]
    ) -> dict[Future[Generation], PreparedDraft]:
        pending: dict[Future[Generation], PreparedDraft] = {}
        products = Product.objects.in_bulk(chunk)
        for pk in chunk:
            if pk not in products:
                self._failed(pk, "The product no longer exists.")
                continue
            try:
                prepared = self.job.prepare(products[pk])
            except Exception as exc:  # e.g. unreadable product data: counted, batch goes on
                self._failed(pk, describe_error(exc))
                continue
            if prepared is None:
                self._count(skipped=1)
            elif prepared.request is None:
                self._stored(self.job.finish(prepared))
            else:
                future = pool.submit(call_backend, self.job.backend, prepared.request, self.limiter)
                pending[future] = prepared
        return pending

    def _receive(self, prepared: PreparedDraft, future: Future[Generation]) -> None:
        try:
            draft = self.job.finish(prepared, generation=future.result())
        except Exception as exc:  # the backend failed: stored as a failed draft
            try:
                draft = self.job.finish(prepared, error=exc)
            except Exception as store_exc:
                self._failed(prepared.draft.product_id, describe_error(store_exc))
                return
        self._stored(draft)

    def _stored(self, draft: DescriptionDraft) -> None:
        if draft.status == DraftStatus.FAILED:
            self._failed(draft.product_id, draft.error)
        else:
            self._count(created=1, flagged=int(bool(draft.flags)))
            self.say(f"Product {draft.product_id}: draft {draft.pk} ({draft.status})")

    def _failed(self, product_id: int, error: str) -> None:
        self.batch.errors = [*self.batch.errors, {"product": product_id, "error": error}]
        self._count(failed=1)
        self.say(f"Product {product_id}: failed: {error}")

    def _count(self, **increments: int) -> None:
        for name, value in increments.items():
            setattr(self.batch, name, getattr(self.batch, name) + value)
        self.batch.done += 1
        fields = ["done", "created", "skipped", "flagged", "failed", "errors"]
        self.batch.save(update_fields=fields)
