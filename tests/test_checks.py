"""System checks report every misconfiguration with an id and a hint."""

import pytest
from django.core import checks

from oscar_ai_crm.checks import check_install, check_settings
from oscar_ai_crm.conf import DEFAULTS, crm_settings


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_defaults_pass_every_check(settings):
    settings.OSCAR_AI_CRM = {}
    assert check_settings() == [] and check_install() == []
    assert checks.run_checks(tags=[checks.Tags.compatibility]) == []


@pytest.mark.parametrize(
    ("value", "expected_id", "hint_part"),
    [
        ([("CAPTURE", {})], "oscar_ai_crm.E001", "dict of sections"),
        ({"CAPTUR": {}}, "oscar_ai_crm.E002", "Did you mean 'CAPTURE'"),
        ({"CAPTURE": True}, "oscar_ai_crm.E001", "dict of KEY"),
        ({"CAPTURE": {"ENABLE": False}}, "oscar_ai_crm.E003", "Did you mean 'ENABLED'"),
        ({"CAPTURE": {"ENABLED": "no"}}, "oscar_ai_crm.E004", "Expected bool"),
        ({"CAPTURE": {"MAX_QUERY_LENGTH": True}}, "oscar_ai_crm.E004", "Expected int"),
        ({"TASKS": {"CLUSTER": 3}}, "oscar_ai_crm.E004", "Expected str or None"),
        (
            {"CAPTURE": {"BOT_USER_AGENTS": ["ok", "(unclosed"]}},
            "oscar_ai_crm.E005",
            "Fix or remove",
        ),
        ({"CAPTURE": {"WRITE_MODE": "later"}}, "oscar_ai_crm.E006", "off the request path"),
    ],
)
def test_bad_settings_are_reported(settings, value, expected_id, hint_part):
    settings.OSCAR_AI_CRM = value

    problems = check_settings()

    assert ids(problems) == [expected_id]
    assert hint_part in problems[0].hint


def test_missing_django_q_is_an_error(settings):
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "django_q"]
    assert ids(check_install()) == ["oscar_ai_crm.E010"]


def test_missing_session_middleware_is_a_warning(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SessionMiddleware" not in m]
    assert ids(check_install()) == ["oscar_ai_crm.W001"]


def test_settings_merge_over_defaults_and_reload(settings):
    settings.OSCAR_AI_CRM = {"CAPTURE": {"ANONYMOUS": False}}
    assert crm_settings.CAPTURE["ANONYMOUS"] is False
    assert crm_settings.CAPTURE["ENABLED"] is DEFAULTS["CAPTURE"]["ENABLED"]

    settings.OSCAR_AI_CRM = {}
    assert crm_settings.CAPTURE["ANONYMOUS"] is True


def test_unknown_section_is_an_attribute_error():
    with pytest.raises(AttributeError, match="Unknown OSCAR_AI_CRM section"):
        crm_settings.RECOMENDERS  # noqa: B018


@pytest.mark.parametrize(
    "recommendations, expected_id, message_part",
    [
        (
            {"MODELS": {"x": {"CLASS": "no.such.Recommender"}}, "SERVE": "x"},
            "oscar_ai_crm.E007",
            "cannot be imported",
        ),
        (
            {
                "MODELS": {
                    "p": {
                        "CLASS": "oscar_ai_crm.recommenders.popularity.PopularityRecommender",
                        "OPTIONS": {"half_lif_days": 3},
                    }
                },
                "SERVE": "p",
                "SIMILAR": None,
                "SIMILAR_TEXT": None,
                "BOUGHT_TOGETHER": None,
            },
            "oscar_ai_crm.E007",
            "do not fit",
        ),
        ({"SERVE": "hybird"}, "oscar_ai_crm.E008", "not an alias"),
    ],
)
def test_bad_recommender_settings_are_reported(
    settings, recommendations, expected_id, message_part
):
    from oscar_ai_crm.checks import check_recommenders

    settings.OSCAR_AI_CRM = {"RECOMMENDATIONS": recommendations}
    errors = [e for e in check_recommenders() if e.id == expected_id]

    assert errors and message_part in errors[0].msg
