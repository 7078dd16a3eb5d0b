"""The per-visitor message limit on Django's cache."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from oscar_ai_crm.support.ratelimit import reset, seconds_to_wait

LIMIT = {"SUPPORT": {"RATE_LIMIT_MESSAGES": 3, "RATE_LIMIT_SECONDS": 60}}
START = 6_000_000.0  # the start of a 60-second window


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(OSCAR_AI_CRM=LIMIT)
def test_limit_per_window_then_seconds_until_the_window_ends():
    assert [seconds_to_wait("session:a", now=START + 1) for _ in range(3)] == [None] * 3
    assert seconds_to_wait("session:a", now=START + 15.2) == 45
    assert seconds_to_wait("session:a", now=START + 59.5) == 1
    assert seconds_to_wait("session:a", now=START + 60) is None  # the next window


@override_settings(OSCAR_AI_CRM=LIMIT)
def test_each_visitor_has_their_own_count():
    for _ in range(3):
        seconds_to_wait("user:1", now=START)
    assert seconds_to_wait("user:1", now=START) is not None
    assert seconds_to_wait("user:2", now=START) is None
    assert seconds_to_wait("session:user:1", now=START) is None


def test_refused_messages_do_not_count():
    with override_settings(OSCAR_AI_CRM=LIMIT):
        results = [seconds_to_wait("session:b", now=START) for _ in range(10)]
    assert results.count(None) == 3
    five = {"SUPPORT": {**LIMIT["SUPPORT"], "RATE_LIMIT_MESSAGES": 5}}
    with override_settings(OSCAR_AI_CRM=five):  # 3 counted, not 10: two more fit
        assert [seconds_to_wait("session:b", now=START) for _ in range(3)] == [None, None, 60]


@override_settings(OSCAR_AI_CRM=LIMIT)
def test_reset_forgets_the_current_window():
    for _ in range(4):
        seconds_to_wait("session:d", now=START)
    reset("session:d", now=START)
    assert seconds_to_wait("session:d", now=START) is None


@override_settings(OSCAR_AI_CRM={"SUPPORT": {"RATE_LIMIT_MESSAGES": 0}})
def test_a_zero_limit_refuses_everything():
    assert seconds_to_wait("session:c") is not None
