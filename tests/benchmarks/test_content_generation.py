"""The description benchmark's verdicts (the benchmark itself runs in `make benchmark-content`)."""

from benchmarks.content_generation import format_rows, verdicts


def row(backend, concurrency, run, seconds, created, skipped=0, failed=0):
    return {
        "backend": backend,
        "concurrency": concurrency,
        "run": run,
        "seconds": seconds,
        "per_second": 500 / seconds,
        "created": created,
        "skipped": skipped,
        "flagged": 0,
        "failed": failed,
    }


def test_second_runs_must_create_nothing_and_concurrency_must_pay():
    rows = [
        row("offline", "-", "first", 3.0, 500),
        row("offline", "-", "again", 2.0, 0, skipped=500),
        row("server", 1, "first", 50.0, 500),
        row("server", 1, "again", 2.0, 3, skipped=497),
        row("server", 8, "first", 10.0, 500),
    ]
    lines = verdicts(rows)

    assert lines[0].startswith("PASS second run (offline")
    assert lines[1].startswith("FAIL second run (server, concurrency 1): 3 created")
    assert lines[2] == "PASS concurrency 8 vs 1 against the server: 5.0x faster (target 4.0x)"
    assert "| server | 8 | first | 10.00 | 50.0 | 500 |" in format_rows(rows)
