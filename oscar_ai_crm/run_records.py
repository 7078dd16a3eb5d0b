"""What every recorded run (training, segmentation) does around its work.

Time and peak memory are measured, an exception marks the run failed with the traceback
in its message (the caller's previous results stay: nothing was published), and the run
is saved with its finish time whatever happened.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from .recommendations.memory import PeakMemory

logger = logging.getLogger(__name__)


@contextmanager
def recorded_run(run: Any, failed_status: str, say: Callable[[str], None]) -> Iterator[None]:
    """Run the ``with`` body as ``run``'s work; a failure is recorded, not raised.

    ``run`` is a model with ``status``, ``message``, ``finished_at``, ``duration_seconds``
    and ``peak_memory_mb`` fields (``ModelRun``, ``SegmentRun``).
    """
    started = time.perf_counter()
    with PeakMemory() as memory:
        try:
            yield
        except Exception as exc:  # the serving results stay; the failure is recorded
            logger.exception("%s failed", run)
            run.status = failed_status
            run.message = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
    run.finished_at = timezone.now()
    run.duration_seconds = round(time.perf_counter() - started, 3)
    run.peak_memory_mb = round(memory.growth_mb, 1)
    run.save()
    say(f"{type(run)._meta.verbose_name.capitalize()} {run.pk}: "
        f"{run.get_status_display()} in {run.duration_seconds:.1f} s")  # fmt: skip
