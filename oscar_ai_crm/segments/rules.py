"""Rule segments: a merchant's conditions on profile fields, validated and evaluated in bulk.

A rule is a list of conditions ``{"field": name, "op": "gt", "value": 100}`` joined by
``match`` ("all": and, "any": or). Fields are the customer features
(:data:`~oscar_ai_crm.features.customer_table.FEATURES`) and the profile's scores. Rules are
evaluated on numpy columns, one entry per customer, so a segmentation run checks every rule
against every customer in a few array operations. Plain numpy, no Django.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..features.customer_table import FEATURES, CustomerTable

#: Profile scores a condition may use besides the features (NaN when not predicted).
SCORE_FIELDS: tuple[str, ...] = ("intent_score", "churn_score", "clv")

#: Every name a condition's ``field`` may take.
RULE_FIELDS: tuple[str, ...] = (*FEATURES, *SCORE_FIELDS)

#: Operator code -> vectorised comparison.
OPERATORS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "gt": np.greater,
    "gte": np.greater_equal,
    "lt": np.less,
    "lte": np.less_equal,
    "eq": np.equal,
    "neq": np.not_equal,
}

#: Operator code -> the symbol merchants type and read.
SYMBOLS: dict[str, str] = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "neq": "!="}
_FROM_SYMBOL = {**{s: op for op, s in SYMBOLS.items()}, "==": "eq", "<>": "neq"}

MATCHES: tuple[str, ...] = ("all", "any")
_KEYS = {"field", "op", "value"}


def validate_conditions(conditions: Any) -> list[str]:
    """Every problem of a rule's conditions as a readable message; empty when valid."""
    if not isinstance(conditions, list):
        return ["Conditions must be a list of {field, op, value} objects."]
    if not conditions:
        return ["Add at least one condition."]
    errors: list[str] = []
    for number, condition in enumerate(conditions, start=1):
        errors += [f"Condition {number}: {problem}" for problem in _problems(condition)]
    return errors


def _problems(condition: Any) -> list[str]:
    if isinstance(condition, str):
        return [f"{condition!r} should be 'field operator value', e.g. 'monetary > 100'."]
    if not isinstance(condition, dict):
        return ["must be an object with field, op and value."]
    problems = []
    if unknown := sorted(set(condition) - _KEYS):
        problems.append(f"unknown key(s) {', '.join(unknown)}; use field, op and value.")
    field = condition.get("field")
    if field not in RULE_FIELDS:
        close = difflib.get_close_matches(str(field), RULE_FIELDS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        problems.append(f"unknown field {field!r}.{hint} Fields: {', '.join(RULE_FIELDS)}.")
    if condition.get("op") not in OPERATORS:
        problems.append(
            f"unknown operator {condition.get('op')!r}; use one of {', '.join(OPERATORS)}."
        )
    value = condition.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"value {value!r} is not a number.")
    elif not math.isfinite(value):
        problems.append(f"value {value!r} is not a finite number.")
    return problems


def evaluate_rule(
    conditions: list[dict[str, Any]], match: str, columns: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Which customers a rule selects.

    Parameters
    ----------
    conditions : valid conditions (see :func:`validate_conditions`).
    match : "all" (every condition holds) or "any" (at least one does).
    columns : field name -> float array, one entry per customer, all of one length
        (:func:`rule_columns` builds them from a feature table and scores).

    Returns
    -------
    bool ndarray, one entry per customer. A missing value (NaN, e.g. a score that was not
    predicted) satisfies no condition, not even ``neq``.
    """
    if errors := validate_conditions(conditions):
        raise ValueError("Invalid rule: " + " ".join(errors))
    if match not in MATCHES:
        raise ValueError(f"match must be one of {', '.join(MATCHES)}, not {match!r}.")
    used = {condition["field"] for condition in conditions}
    if missing := sorted(used - set(columns)):
        raise ValueError(f"No column given for {', '.join(missing)}.")
    lengths = {len(columns[field]) for field in used}
    if len(lengths) > 1:
        raise ValueError(f"Columns have different lengths: {sorted(lengths)}.")
    selected = np.full(lengths.pop(), match == "all")
    for condition in conditions:
        column = np.asarray(columns[condition["field"]], dtype=np.float64)
        holds = OPERATORS[condition["op"]](column, float(condition["value"]))
        holds &= ~np.isnan(column)
        if match == "all":
            selected &= holds
        else:
            selected |= holds
    return selected


def rule_columns(
    table: CustomerTable, scores: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """The columns :func:`evaluate_rule` reads: the table's features and the scores.

    ``scores`` maps names of :data:`SCORE_FIELDS` to arrays aligned with
    ``table.customer_ids``; a score not given is all NaN (matches no condition).
    """
    columns = {name: table.values[:, i] for i, name in enumerate(FEATURES)}
    for name in SCORE_FIELDS:
        given = (scores or {}).get(name)
        columns[name] = (
            np.full(len(table), np.nan) if given is None else np.asarray(given, dtype=np.float64)
        )
    return columns


def describe_conditions(conditions: list[dict[str, Any]], match: str = "all") -> str:
    """A rule as one readable line, e.g. ``monetary > 100 and recency_days > 90``."""
    joiner = " and " if match == "all" else " or "
    return joiner.join(format_condition(condition) for condition in conditions or [])


def format_condition(condition: dict[str, Any]) -> str:
    """One condition as ``field symbol value`` (the syntax :func:`parse_conditions` reads)."""
    if not isinstance(condition, dict):
        return str(condition)
    value = condition.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    op = str(condition.get("op"))
    return f"{condition.get('field')} {SYMBOLS.get(op, op)} {value}"


def parse_conditions(text: str) -> list[Any]:
    """Read one condition per line (``monetary > 100``), for :func:`validate_conditions`.

    Operators may be written as symbols (``> >= < <= = == != <>``) or codes (``gt``...).
    Nothing is rejected here: a line that is not ``field operator value`` stays a string,
    an unknown field or operator or a value that is not a number stays as written, and
    :func:`validate_conditions` reports them all, numbered like the lines.
    """
    conditions: list[Any] = []
    for line in (line.strip() for line in text.splitlines()):
        parts = line.split()
        if len(parts) != 3:
            conditions += [line] if line else []
            continue
        field, op, raw = parts
        conditions.append({"field": field, "op": _FROM_SYMBOL.get(op, op), "value": _number(raw)})
    return conditions


def _number(raw: str) -> int | float | str:
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() and raw.lstrip("+-").isdigit() else value
