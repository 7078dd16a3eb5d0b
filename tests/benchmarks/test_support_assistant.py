"""The support benchmark's verdicts and tables (the benchmark runs in `make benchmark-support`)."""

from benchmarks.support_assistant import format_rows, verdicts


def row(encoder, accuracy, search_p95_ms):
    summary = {"questions": 10, "accuracy": accuracy, "handoff_precision": 0.5,
               "handoff_recall": 1.0, "p50_ms": 1.0, "p95_ms": 2.0}  # fmt: skip
    return {
        "encoder": encoder,
        **summary,
        "accuracy_en": accuracy,
        "accuracy_zh-hans": accuracy,
        "search_p50_ms": 1.0,
        "search_p95_ms": search_p95_ms,
    }


def test_latency_target_applies_to_the_minilm_path_and_accuracy_is_compared():
    lines = verdicts([row("minilm", 0.9, 49.0), row("tfidf", 0.6, 80.0)])

    assert lines == [
        "PASS retrieval p95 49.0 ms (target < 50 ms, MiniLM)",
        "MiniLM accuracy +0.300 vs the TF-IDF fallback (same run)",
    ]
    assert verdicts([row("minilm", 0.9, 51.0)])[0].startswith("FAIL retrieval p95 51.0 ms")


def test_table_has_one_line_per_encoder():
    table = format_rows([row("minilm", 0.9, 20.0), row("tfidf", 0.6, 2.0)])

    assert table.count("\n| minilm | 10 | 0.900 |") == 1
    assert len(table.splitlines()) == 4
