"""Read an exported interaction log (CSV, optionally gzipped) into ``Interactions``.

The format (see docs/evaluation.md): a header row, then one interaction per line.

========== ========= =============================================================
column     required  meaning
========== ========= =============================================================
user_id    yes       any string
item_id    yes       any string
timestamp  yes       integer epoch seconds, or ISO-8601 date / date-time (UTC if
                     no offset is given)
event      no        "view", "basket_add", "purchase", "review", ... (empty or
                     absent: "purchase")
weight     no        non-negative number (empty or absent: the event's weight)
rating     no        number, e.g. review stars (empty: none)
basket     no        order number grouping purchases (empty: same user and time)
========== ========= =============================================================

Other columns are ignored. An optional item file has ``item_id,text`` and optionally
``category`` and ``available`` (1/0, true/false, yes/no). Errors raise
:class:`InteractionFileError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import gzip
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np

from .interactions import DEFAULT_EVENT_WEIGHTS, Interactions

REQUIRED_COLUMNS = ("user_id", "item_id", "timestamp")
ITEM_COLUMNS = ("item_id", "text")
#: Rows converted per step: columns are converted with C-speed built-ins a chunk at a time.
CHUNK_ROWS = 50_000
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

Rows = list[list[str]]


class InteractionFileError(ValueError):
    """An interaction or item file cannot be read; the message says where and why."""


class _CellError(Exception):
    """A bad value in row ``row`` (position in the current chunk) of ``column``."""

    def __init__(self, column: str, message: str, row: int) -> None:
        self.column, self.message, self.row = column, message, row


def read_interactions_file(
    path: str | Path,
    item_text_path: str | Path | None = None,
    event_weights: Mapping[str, float] | None = None,
) -> Interactions:
    """Read ``path`` (and the optional item file) into :class:`Interactions`.

    Parameters
    ----------
    path : CSV file, plain or gzip-compressed (detected from its first bytes).
    item_text_path : optional CSV of ``item_id,text[,category][,available]``; its items
        join the catalogue even without interactions.
    event_weights : weight per event kind for rows without a ``weight`` value (default
        :data:`~.interactions.DEFAULT_EVENT_WEIGHTS`; unknown kinds weigh 1).

    Raises
    ------
    InteractionFileError : missing file or column, empty file, bad value (with line number).
    """
    weights = dict(DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights)
    with _csv_rows(path) as (name, reader):
        columns = _Columns(_header(name, reader, REQUIRED_COLUMNS), weights)
        _read_chunks(name, reader, columns.add)
    if not len(columns):
        raise InteractionFileError(f"{name}: no interactions after the header line.")
    items_info = read_item_file(item_text_path) if item_text_path is not None else {}
    return columns.build(items_info)


def read_item_file(path: str | Path) -> dict[str, dict[str, Any]]:
    """item id -> {"text", "category", "available"} from an item CSV (ids unique)."""
    info: dict[str, dict[str, Any]] = {}
    with _csv_rows(path) as (name, reader):
        header = _header(name, reader, ITEM_COLUMNS)
        get = {column: header.get(column) for column in ("text", "category", "available")}

        def add(rows: Rows) -> None:
            for row_number, item_id in enumerate(_required(rows, header["item_id"], "item_id")):
                if item_id in info:
                    raise _CellError("item_id", f'"{item_id}" is listed twice', row_number)
                row = rows[row_number]
                info[item_id] = {
                    "text": _cell(row, get["text"]),
                    "category": _cell(row, get["category"]),
                    "available": _boolean(_cell(row, get["available"]), row_number),
                }

        _read_chunks(name, reader, add)
    return info


class _Columns:
    """Column accumulators, lean for millions of rows.

    User and item ids become int codes (first-seen order), so each distinct id string is
    kept once; numbers are kept as one numpy array per chunk. :meth:`build` hands
    ``Interactions.from_columns`` integer codes ranked in sorted-id order (sorting a
    million strings there would take seconds) and puts the id strings back.
    """

    def __init__(self, header: dict[str, int], weights: dict[str, float]) -> None:
        self.header, self.event_weights = header, weights
        self.user_codes: dict[str, int] = {}
        self.item_codes: dict[str, int] = {}
        self.chunks: dict[str, list[np.ndarray]] = {
            name: [] for name in ("users", "items", "timestamps", "weights", "ratings")
        }
        self.events: list[str] = []
        self.baskets: list[str | None] | None = [] if "basket" in header else None
        self._events = {"": "purchase"}  # interns the kind names; an empty event is a purchase

    def add(self, rows: Rows) -> None:
        """Convert and check a chunk of rows, then append it (all or nothing)."""
        header = self.header
        users = _required(rows, header["user_id"], "user_id")
        items = _required(rows, header["item_id"], "item_id")
        converted = {
            "timestamps": _timestamps(_required(rows, header["timestamp"], "timestamp")),
            "users": _codes(users, self.user_codes),
            "items": _codes(items, self.item_codes),
        }
        intern = self._events.setdefault
        events = [intern(event, event) for event in _column(rows, header.get("event"))]
        weights = _column(rows, header.get("weight"))
        converted["weights"] = _weights(weights, events, self.event_weights)
        if "rating" in header:
            converted["ratings"] = _ratings(_column(rows, header["rating"]))
        if self.baskets is not None:
            self.baskets.extend(basket or None for basket in _column(rows, header["basket"]))
        for name, values in converted.items():
            self.chunks[name].append(values)
        self.events.extend(events)

    def __len__(self) -> int:
        return len(self.events)

    def build(self, items_info: dict[str, dict[str, Any]]) -> Interactions:
        n_known = len(self.item_codes)
        for item_id in items_info:  # items known only from the item file join the catalogue
            self.item_codes.setdefault(item_id, len(self.item_codes))
        user_names, user_rank = _ranked(self.user_codes)
        item_names, item_rank = _ranked(self.item_codes)
        column = {name: np.concatenate(chunks) for name, chunks in self.chunks.items() if chunks}
        result = Interactions.from_columns(
            user_rank[column["users"]],
            item_rank[column["items"]],
            column["timestamps"],
            events=self.events,
            weights=column["weights"],
            baskets=self.baskets,
            ratings=column.get("ratings"),
            all_item_ids=[int(rank) for rank in item_rank[n_known:]] if items_info else None,
            items_info={int(item_rank[self.item_codes[i]]): v for i, v in items_info.items()},
        )
        # from_columns indexed the ranks; map them back to the id strings.
        return replace(
            result,
            user_ids=user_names[result.user_ids.astype(np.int64)],
            item_ids=item_names[result.item_ids.astype(np.int64)],
        )


def _codes(values: list[str], codes: dict[str, int]) -> np.ndarray:
    """int32 code of each value; unseen values get the next codes.

    The codes' order is irrelevant (:meth:`_Columns.build` ranks ids by name), so new
    values are found with C-speed set operations rather than a Python loop.
    """
    for value in set(values).difference(codes):
        codes[value] = len(codes)
    return np.fromiter(map(codes.__getitem__, values), dtype=np.int32, count=len(values))


def _ranked(codes: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(ids in sorted order as an object array, rank of each code in that order)."""
    names = sorted(codes)
    rank = np.empty(len(codes), dtype=np.int64)
    rank[[codes[name] for name in names]] = np.arange(len(names))
    return np.array(names, dtype=object), rank


@contextmanager
def _csv_rows(path: str | Path) -> Iterator[tuple[str, Any]]:
    """Open ``path`` (gzip or plain, UTF-8 with or without BOM); yield (name, csv reader)."""
    name = Path(path).name
    try:
        with open(path, "rb") as probe:
            compressed = probe.read(2) == b"\x1f\x8b"
        stream: IO[str] = (
            gzip.open(path, "rt", encoding="utf-8-sig", newline="")
            if compressed
            else open(path, encoding="utf-8-sig", newline="")
        )
    except OSError as exc:
        raise InteractionFileError(f"{name}: cannot open {path}: {exc.strerror or exc}") from exc
    with stream:
        try:
            yield name, csv.reader(stream)
        except (OSError, EOFError) as exc:  # truncated or corrupt gzip data
            raise InteractionFileError(f"{name}: cannot be read: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise InteractionFileError(f"{name}: is not UTF-8 text ({exc.reason}).") from exc


def _header(name: str, reader: Any, required: tuple[str, ...]) -> dict[str, int]:
    """Column name -> position, after checking the required ones are present."""
    try:
        row = next(reader, None)
    except csv.Error as exc:
        raise InteractionFileError(f"{name} line 1: {exc}") from None
    if row is None or not any(cell.strip() for cell in row):
        raise InteractionFileError(f"{name}: the file is empty (expected a header line).")
    header = {cell.strip().lower(): position for position, cell in enumerate(row)}
    missing = [column for column in required if column not in header]
    if missing:
        raise InteractionFileError(
            f"{name}: missing required column(s) {', '.join(map(repr, missing))} in the "
            f"header line (found: {', '.join(cell.strip() for cell in row)})."
        )
    return header


def _read_chunks(name: str, reader: Any, add: Callable[[Rows], None]) -> None:
    """Feed non-empty rows to ``add`` in chunks; cell errors become file errors with a line."""
    rows: Rows = []
    lines = array("q")  # the line each row ends on (quoted fields may span lines)
    try:
        for row in reader:
            if row:
                rows.append(row)
                lines.append(reader.line_num)
                if len(rows) == CHUNK_ROWS:
                    add(rows)
                    rows, lines = [], array("q")
        if rows:
            add(rows)
    except _CellError as exc:
        raise InteractionFileError(
            f'{name} line {lines[exc.row]}, column "{exc.column}": {exc.message}'
        ) from None
    except csv.Error as exc:
        raise InteractionFileError(f"{name} line {reader.line_num}: {exc}") from None


def _column(rows: Rows, position: int | None) -> list[str]:
    """The stripped cells at ``position`` ("" for short rows or an absent column)."""
    if position is None:
        return [""] * len(rows)
    try:
        return list(map(str.strip, map(itemgetter(position), rows)))
    except IndexError:
        return [_cell(row, position) for row in rows]


def _cell(row: list[str], position: int | None) -> str:
    if position is None or position >= len(row):
        return ""
    return row[position].strip()


def _required(rows: Rows, position: int, column: str) -> list[str]:
    values = _column(rows, position)
    if "" in values:
        raise _CellError(column, "no value", values.index(""))
    return values


def _timestamps(values: list[str]) -> np.ndarray:
    """int64 epoch seconds from integer strings (fast path) or ISO-8601 dates."""
    try:
        return np.fromiter(map(int, values), dtype=np.int64, count=len(values))
    except ValueError:
        pass
    # Dates repeat (many rows per day or second): parse each distinct string once.
    parsed = dict.fromkeys(values, 0)
    for value in parsed:
        try:
            parsed[value] = _timestamp(value)
        except ValueError:
            message = f'"{value}" is not a date or epoch seconds'
            raise _CellError("timestamp", message, values.index(value)) from None
    return np.fromiter(map(parsed.__getitem__, values), dtype=np.int64, count=len(values))


def _timestamp(value: str) -> int:
    if value.isascii() and value.replace(".", "", 1).isdigit():
        return int(float(value))  # epoch seconds, perhaps with a fraction
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _weights(values: list[str], events: list[str], table: dict[str, float]) -> np.ndarray:
    """Each row's weight, or its event's weight when empty; non-negative and finite."""
    numbers = _floats(
        (value or table.get(event, 1.0) for value, event in zip(values, events, strict=True)),
        values,
        "weight",
    )
    bad = ~np.isfinite(numbers) | (numbers < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise _CellError("weight", f'"{values[row]}" is not a non-negative number', row)
    return numbers.astype(np.float32)


def _ratings(values: list[str]) -> np.ndarray:
    return _floats((value or math.nan for value in values), values, "rating").astype(np.float32)


def _floats(numbers: Iterable[str | float], values: list[str], column: str) -> np.ndarray:
    try:
        return np.fromiter(map(float, numbers), dtype=np.float64, count=len(values))
    except ValueError:
        row = next(row for row, value in enumerate(values) if not _is_number(value))
        raise _CellError(column, f'"{values[row]}" is not a number', row) from None


def _is_number(value: str) -> bool:
    try:
        float(value or 0)
    except ValueError:
        return False
    return True


def _boolean(value: str, row: int) -> bool:
    if not value:
        return True
    try:
        return _BOOLEANS[value.lower()]
    except KeyError:
        message = f'"{value}" is not one of 1/0, true/false, yes/no'
        raise _CellError("available", message, row) from None
