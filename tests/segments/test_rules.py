"""Rule segments: exact membership on hand-made columns, every operator, clear errors."""

import numpy as np
import pytest

from oscar_ai_crm.features.customer_table import FEATURES, CustomerTable
from oscar_ai_crm.segments.rules import (
    RULE_FIELDS,
    describe_conditions,
    evaluate_rule,
    parse_conditions,
    rule_columns,
    validate_conditions,
)

NAN = np.nan

#: Five customers. churn_score is missing (NaN) for customers 0 and 3.
COLUMNS = {
    "monetary": np.array([0.0, 100.0, 150.0, 250.0, 100.0]),
    "recency_days": np.array([400.0, 95.0, 10.0, 200.0, 90.0]),
    "churn_score": np.array([NAN, 0.8, 0.1, NAN, 0.5]),
}


def cond(field: str, op: str, value) -> dict:
    return {"field": field, "op": op, "value": value}


def members(conditions: list[dict], match: str = "all") -> list[int]:
    return np.flatnonzero(evaluate_rule(conditions, match, COLUMNS)).tolist()


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("gt", [2, 3]),
        ("gte", [1, 2, 3, 4]),
        ("lt", [0]),
        ("lte", [0, 1, 4]),
        ("eq", [1, 4]),
        ("neq", [0, 2, 3]),
    ],
)
def test_every_operator_against_100(op, expected):
    assert members([cond("monetary", op, 100)]) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gt", 0.3, [1, 4]),
        ("lt", 0.3, [2]),
        ("neq", 0.5, [1, 2]),  # a missing score is not "different from 0.5"
        ("lte", 1e9, [1, 2, 4]),
    ],
)
def test_missing_scores_never_match(op, value, expected):
    assert members([cond("churn_score", op, value)]) == expected


def test_all_needs_every_condition_any_needs_one():
    spent_and_lapsed = [cond("monetary", "gt", 100), cond("recency_days", "gt", 90)]
    assert members(spent_and_lapsed, "all") == [3]
    assert members(spent_and_lapsed, "any") == [0, 1, 2, 3]

    assert members([cond("monetary", "gte", 100), cond("recency_days", "gt", 90)]) == [1, 3]
    big_or_old = [cond("monetary", "gt", 200), cond("recency_days", "gt", 300)]
    assert members(big_or_old, "any") == [0, 3]
    # NaN rows fail the score condition but can still match another one under "any".
    assert members([cond("churn_score", "gt", 0.3), cond("monetary", "gt", 200)], "any") == [
        1,
        3,
        4,
    ]
    assert members([cond("churn_score", "gt", 0.3), cond("monetary", "gt", 200)], "all") == []


def test_rule_columns_take_features_and_scores_with_nan_for_missing_ones():
    values = np.zeros((3, len(FEATURES)))
    values[:, FEATURES.index("monetary")] = [10.0, 120.0, 300.0]
    table = CustomerTable(customer_ids=np.array([4, 7, 9]), values=values)

    columns = rule_columns(table, {"intent_score": np.array([0.9, 0.2, 0.6])})

    assert set(columns) == set(RULE_FIELDS)
    rich_and_keen = [cond("monetary", "gt", 100), cond("intent_score", "gte", 0.5)]
    assert evaluate_rule(rich_and_keen, "all", columns).tolist() == [False, False, True]
    assert not evaluate_rule([cond("clv", "lt", 1e12)], "all", columns).any()


def test_rule_fields_are_the_features_and_the_scores():
    assert RULE_FIELDS == (*FEATURES, "intent_score", "churn_score", "clv")


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"field": "monetary"}, "Conditions must be a list of {field, op, value} objects."),
        ([], "Add at least one condition."),
        (
            [cond("monetery", "gt", 1)],
            "Condition 1: unknown field 'monetery'. Did you mean 'monetary'?",
        ),
        ([cond("monetary", "ge", 1)], "Condition 1: unknown operator 'ge'; use one of gt, gte,"),
        ([cond("monetary", "gt", "100")], "Condition 1: value '100' is not a number."),
        ([cond("monetary", "gt", True)], "Condition 1: value True is not a number."),
        ([cond("monetary", "gt", float("inf"))], "Condition 1: value inf is not a finite number."),
        (["monetary >"], "Condition 1: 'monetary >' should be 'field operator value'"),
        ([7], "Condition 1: must be an object with field, op and value."),
        (
            [{**cond("monetary", "gt", 1), "unit": "EUR"}],
            "Condition 1: unknown key(s) unit; use field, op and value.",
        ),
    ],
)
def test_validation_messages(conditions, message):
    errors = validate_conditions(conditions)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_validation_numbers_each_condition_and_reports_all_problems():
    errors = validate_conditions([cond("monetary", "gt", 1), cond("spend", "above", "x")])
    assert [e.split(":")[0] for e in errors] == ["Condition 2"] * 3
    assert "Fields: recency_days, frequency, monetary" in errors[0]
    assert validate_conditions([cond("clv", "lte", 50), cond("r_score", "eq", 5)]) == []


def test_invalid_rules_and_columns_are_refused_when_evaluated():
    with pytest.raises(ValueError, match="unknown operator 'ge'"):
        evaluate_rule([cond("monetary", "ge", 1)], "all", COLUMNS)
    with pytest.raises(ValueError, match="match must be one of all, any, not 'both'"):
        evaluate_rule([cond("monetary", "gt", 1)], "both", COLUMNS)
    with pytest.raises(ValueError, match="No column given for clv"):
        evaluate_rule([cond("clv", "gt", 1)], "all", COLUMNS)
    uneven = {**COLUMNS, "frequency": np.zeros(2)}
    with pytest.raises(ValueError, match=r"different lengths: \[2, 5\]"):
        evaluate_rule([cond("frequency", "gt", 1), cond("monetary", "gt", 1)], "all", uneven)


def test_parse_conditions_reads_lines_and_keeps_mistakes_for_validation():
    text = "monetary > 100\n\n  recency_days >= 90.5 \nchurn_score != 0\nr_score gte 4"
    assert parse_conditions(text) == [
        cond("monetary", "gt", 100),
        cond("recency_days", "gte", 90.5),
        cond("churn_score", "neq", 0),
        cond("r_score", "gte", 4),
    ]
    mistakes = parse_conditions("monetary >\nspend > abc\nfrequency => 2")
    assert mistakes == ["monetary >", cond("spend", "gt", "abc"), cond("frequency", "=>", 2)]
    assert len(validate_conditions(mistakes)) == 4


def test_describe_conditions_round_trips_through_the_parser():
    conditions = [cond("monetary", "gt", 100.0), cond("recency_days", "gt", 90)]
    assert describe_conditions(conditions) == "monetary > 100 and recency_days > 90"
    assert describe_conditions(conditions, "any") == "monetary > 100 or recency_days > 90"
    lines = describe_conditions(conditions).replace(" and ", "\n")
    assert parse_conditions(lines) == [cond("monetary", "gt", 100), cond("recency_days", "gt", 90)]
