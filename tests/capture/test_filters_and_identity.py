"""Bot and Do-Not-Track filtering, session hashing, replayed time."""

from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from oscar_ai_crm.capture import clock
from oscar_ai_crm.capture.filters import is_bot, skip_reason
from oscar_ai_crm.capture.identity import hash_session_key
from oscar_ai_crm.conf import crm_settings

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
]
BOTS = [
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "Go-http-client/2.0",
]


@pytest.mark.parametrize("user_agent", BROWSERS)
def test_browsers_are_not_bots(user_agent):
    assert not is_bot(user_agent, crm_settings.version)


@pytest.mark.parametrize("user_agent", BOTS)
def test_known_bots_are_bots(user_agent):
    assert is_bot(user_agent, crm_settings.version)


def test_bot_patterns_come_from_settings(settings):
    settings.OSCAR_AI_CRM = {"CAPTURE": {"BOT_USER_AGENTS": [r"firefox"]}}
    assert is_bot(BROWSERS[2], crm_settings.version)
    assert not is_bot(BOTS[4], crm_settings.version)


def test_skip_reason_names_the_rule():
    factory = RequestFactory()
    assert skip_reason(factory.get("/", headers={"user-agent": BOTS[0]})) == "bot"
    request = factory.get("/", headers={"user-agent": BROWSERS[0], "DNT": "1"})
    assert skip_reason(request) == "do-not-track"
    assert skip_reason(factory.get("/", headers={"user-agent": BROWSERS[0]})) is None


def test_session_hash_is_stable_salted_and_one_way(settings):
    key = "abcdefgh12345678abcdefgh12345678"
    first = hash_session_key(key)

    assert first == hash_session_key(key) and len(first) == 40
    assert key not in first and first != hash_session_key(key[::-1])
    assert hash_session_key(None) == hash_session_key("") == ""
    settings.SECRET_KEY = "another-secret"
    assert hash_session_key(key) != first


def test_replayed_time_applies_only_inside_the_block():
    then = datetime(2024, 3, 1, 12, tzinfo=UTC)
    with clock.recorded_at(then):
        assert clock.now() == then
    assert clock.now() > then
