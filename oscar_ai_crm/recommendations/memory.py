"""Peak resident memory of this process during a block of work (numpy and C code included)."""

from __future__ import annotations

import os
import resource
import threading
from types import TracebackType


def resident_bytes() -> int:
    """Current resident set size, from /proc where available (else the lifetime peak)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """Samples the resident set size every ``interval`` seconds inside a ``with`` block.

    ``growth_mb`` is the peak minus the size at entry: what the work needed on top of the
    process as it was.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.start_bytes = 0
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        self.start_bytes = self.peak_bytes = resident_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_bytes = max(self.peak_bytes, resident_bytes())

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_bytes = max(self.peak_bytes, resident_bytes())

    @property
    def growth_mb(self) -> float:
        return max(0, self.peak_bytes - self.start_bytes) / 2**20

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20
