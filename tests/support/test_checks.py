"""System checks of the SUPPORT section: the encoder and the LLM backend alias."""

import pytest
from django.core import checks

from oscar_ai_crm.checks import check_support


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    "support",
    [
        {},
        {"ENCODER": "tfidf"},
        {"ENCODER": "minilm", "LLM_BACKEND": "offline"},
        {"LLM_BACKEND": None},
    ],
)
def test_valid_support_settings_pass(settings, support):
    settings.OSCAR_AI_CRM = {"SUPPORT": support}

    assert check_support() == []
    assert checks.run_checks(tags=[checks.Tags.compatibility]) == []


@pytest.mark.parametrize(
    ("support", "expected_id", "hint_part"),
    [
        ({"ENCODER": "minlm"}, "oscar_ai_crm.E013", "Did you mean 'minilm'"),
        ({"ENCODER": "bert"}, "oscar_ai_crm.E013", "Encoders: auto, minilm, tfidf"),
        ({"LLM_BACKEND": "opanai"}, "oscar_ai_crm.E014", "Did you mean 'openai'"),
        ({"LLM_BACKEND": "gpt"}, "oscar_ai_crm.E014", "None quotes the best article"),
    ],
)
def test_bad_support_settings_are_reported(settings, support, expected_id, hint_part):
    settings.OSCAR_AI_CRM = {"SUPPORT": support}

    problems = check_support()

    assert ids(problems) == [expected_id]
    assert hint_part in problems[0].hint
    assert expected_id in ids(checks.run_checks(tags=[checks.Tags.compatibility]))


def test_a_backend_alias_of_a_custom_backends_dict(settings):
    backends = {"local": {"CLASS": "oscar_ai_crm.llm.backends.offline.OfflineBackend"}}
    settings.OSCAR_AI_CRM = {
        "LLM": {"BACKEND": "local", "BACKENDS": backends},
        "SUPPORT": {"LLM_BACKEND": "offline"},  # "offline" is no longer configured
    }

    assert ids(check_support()) == ["oscar_ai_crm.E014"]
