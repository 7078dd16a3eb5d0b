"""Render an :class:`~.runner.EvaluationTable` as an aligned text table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from .runner import EvaluationRow, EvaluationTable

Cell = Callable[[EvaluationRow], str]


def _number(column: str, digits: int = 4) -> Cell:
    def cell(row: EvaluationRow) -> str:
        value = row.value(column)
        return "-" if value is None else f"{value:.{digits}f}"

    return cell


def _ratio(row: EvaluationRow) -> str:
    value = row.vs_popularity.get("ndcg")
    return "-" if value is None else f"{value:.2f}x"


def _columns(k: int) -> list[tuple[str, Cell]]:
    return [
        ("model", lambda row: row.model),
        ("excl. bought", lambda row: "yes" if row.exclude_purchased else "no"),
        (f"P@{k}", _number("precision")),
        (f"R@{k}", _number("recall")),
        (f"NDCG@{k}", _number("ndcg")),
        (f"MAP@{k}", _number("map")),
        (f"HR@{k}", _number("hit_rate")),
        ("coverage", _number("coverage", 3)),
        ("NDCG vs pop", _ratio),
        ("fit s", _number("fit_seconds", 2)),
        ("rec s", _number("recommend_seconds", 2)),
        ("peak MB", _number("peak_memory_mb", 1)),
    ]


def format_table(table: EvaluationTable) -> str:
    """Aligned plain-text table, one line per row; failed models listed below it.

    Text columns are left-aligned, numbers right-aligned; "-" marks a missing value.
    """
    columns = _columns(table.k)
    cells = [[cell(row) for _, cell in columns] for row in table.rows]
    headers = [title for title, _ in columns]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells, strict=True)]

    def line(values: list[str]) -> str:
        parts = [
            value.ljust(width) if index < 2 else value.rjust(width)
            for index, (value, width) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    lines = [line(headers), line(["-" * width for width in widths])]
    lines += [line(row) for row in cells]
    errors = [row for row in table.rows if row.error]
    if errors:
        lines.append("")
        lines += [f"{row.model}: {row.error}" for row in _unique_errors(errors)]
    return "\n".join(lines)


def format_json(table: EvaluationTable) -> str:
    """The table as a JSON document (see ``EvaluationTable.as_dict``)."""
    return json.dumps(table.as_dict(), indent=2, sort_keys=False)


def _unique_errors(rows: list[EvaluationRow]) -> list[EvaluationRow]:
    """One line per model and message (both policies of a failed fit share one)."""
    seen: dict[tuple[str, str | None], EvaluationRow] = {}
    for row in rows:
        seen.setdefault((row.model, row.error), row)
    return list(seen.values())
