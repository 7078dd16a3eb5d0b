"""LLM backends through the registry: the openai client against a real loopback server, a
tiny random-weight GPT-2 saved to disk for transformers, registry and system-check errors."""

from __future__ import annotations

import sys
import time

import pytest
from django.test import override_settings

from oscar_ai_crm.checks import check_llm_backends
from oscar_ai_crm.exceptions import BackendUnavailable, ConfigurationError, GenerationError
from oscar_ai_crm.llm.backends import build_backend, clear_backend_cache, get_backend
from oscar_ai_crm.llm.backends.offline import OfflineBackend
from oscar_ai_crm.llm.backends.openai_backend import OpenAIBackend
from oscar_ai_crm.llm.backends.transformers_backend import plain_prompt
from oscar_ai_crm.llm.types import GenerationRequest, LLMBackend, Message

from .fake_openai import Answer, FakeOpenAI
from .tiny_gpt2 import build_tiny_gpt2

OFFLINE = "oscar_ai_crm.llm.backends.offline.OfflineBackend"
OPENAI = "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend"
TRANSFORMERS = "oscar_ai_crm.llm.backends.transformers_backend.TransformersBackend"
MESSAGES = [
    Message("system", "You write product descriptions for an online shop."),
    Message("user", "Describe the Linen shirt: white, linen, 12.50 GBP."),
]
REPLY = "<p>A crisp white linen shirt.</p>"


def request(**changes) -> GenerationRequest:
    values = {"task": "product_description", "messages": MESSAGES, "max_tokens": 60}
    return GenerationRequest(**(values | changes))


def llm(default: str, **backends) -> override_settings:
    """Settings with these backends ({alias: (CLASS, OPTIONS)}) and ``default`` chosen."""
    specs = {alias: {"CLASS": cls, "OPTIONS": opts} for alias, (cls, opts) in backends.items()}
    return override_settings(OSCAR_AI_CRM={"LLM": {"BACKEND": default, "BACKENDS": specs}})


@pytest.fixture(autouse=True)
def _fresh_registry():
    clear_backend_cache()
    yield
    clear_backend_cache()


@pytest.fixture
def server():
    with FakeOpenAI(reply=REPLY) as fake:
        yield fake


def openai_options(server: FakeOpenAI, **changes) -> dict:
    options = {
        "model": "test-model",
        "base_url": server.base_url,
        "api_key": "sk-test",
        "timeout": 5,
        "max_retries": 0,
    }
    return options | changes


# -- openai ----------------------------------------------------------------------------


def test_openai_reply_with_usage_through_settings(server):
    with llm("fake", fake=(OPENAI, openai_options(server))):
        backend = get_backend()
        generation = backend.generate(request(temperature=0.2))

    assert isinstance(backend, OpenAIBackend) and backend.external is False
    assert (generation.text, generation.backend, generation.model) == (
        REPLY,
        "openai",
        "test-model",
    )
    prompt_words = sum(len(m.content.split()) for m in MESSAGES)
    assert (generation.prompt_tokens, generation.completion_tokens) == (prompt_words, 5)
    assert generation.is_template is False
    [received] = server.requests
    assert received.path == "/v1/chat/completions"
    assert received.headers["authorization"] == "Bearer sk-test"
    assert received.body["model"] == "test-model"
    assert received.body["messages"] == [{"role": m.role, "content": m.content} for m in MESSAGES]
    assert (received.body["max_tokens"], received.body["temperature"]) == (60, 0.2)


def test_rate_limit_is_retried_by_the_client(server):
    server.fail(429, message="Rate limit reached")
    backend = OpenAIBackend(**openai_options(server, max_retries=2))

    assert backend.generate(request()).text == REPLY
    assert [r.status for r in server.requests] == [429, 200]


def test_server_errors_beyond_max_retries_raise(server):
    server.fail(500, times=2, message="Model crashed")
    backend = OpenAIBackend(**openai_options(server, max_retries=1))

    with pytest.raises(GenerationError) as caught:
        backend.generate(request())

    message = str(caught.value)
    assert server.base_url in message and "HTTP 500" in message and "Model crashed" in message
    assert [r.status for r in server.requests] == [500, 500]


def test_a_reply_slower_than_the_timeout_raises(server):
    server.script(Answer(delay=1.5))
    backend = OpenAIBackend(**openai_options(server, timeout=0.3))

    started = time.monotonic()
    with pytest.raises(GenerationError, match="APITimeoutError"):
        backend.generate(request())
    assert time.monotonic() - started < 1.4


def test_a_timed_out_attempt_is_retried(server):
    server.script(Answer(delay=1.0))
    backend = OpenAIBackend(**openai_options(server, timeout=0.3, max_retries=1))

    assert backend.generate(request()).text == REPLY
    assert len(server.requests) == 2


def test_an_empty_reply_raises(server):
    server.script(Answer(text="   "))
    backend = OpenAIBackend(**openai_options(server))

    with pytest.raises(GenerationError, match="empty reply"):
        backend.generate(request())


def test_environment_variables_fill_unset_options(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")

    backend = get_backend("openai")  # the default options: base_url and api_key None

    assert backend.generate(request()).text == REPLY
    assert server.requests[0].headers["authorization"] == "Bearer sk-from-env"
    assert server.requests[0].body["model"] == "gpt-4o-mini"


def test_a_local_server_needs_no_key(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = OpenAIBackend(**openai_options(server, api_key=None))

    assert backend.generate(request()).text == REPLY
    assert server.requests[0].headers["authorization"] == "Bearer local-server"


def test_an_external_server_without_key_is_unavailable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)

    with pytest.raises(BackendUnavailable, match="OPENAI_API_KEY"):
        OpenAIBackend().generate(request())


def test_without_the_openai_package_the_backend_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)  # what `import openai` sees when absent

    with pytest.raises(BackendUnavailable, match=r"\[openai\]"):
        OpenAIBackend(api_key="sk-test").generate(request())


@pytest.mark.parametrize(
    ("base_url", "external"),
    [
        (None, True),
        ("https://api.openai.com/v1", True),
        ("https://llm.example.com/v1", True),
        ("http://localhost:11434/v1", False),
        ("http://127.0.0.1:8000/v1", False),
        ("http://[::1]:8080/v1", False),
    ],
)
def test_external_is_detected_from_the_base_url(monkeypatch, base_url, external):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert OpenAIBackend(base_url=base_url).external is external


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"model": ""}, "model"),
        ({"temprature": 0.3}, "do not fit"),
    ],
)
def test_bad_openai_options_name_the_alias(options, message):
    with pytest.raises(ConfigurationError, match=message) as caught:
        build_backend("remote", {"remote": {"CLASS": OPENAI, "OPTIONS": options}})
    assert "'remote'" in str(caught.value)


# -- transformers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory):
    return build_tiny_gpt2(tmp_path_factory.mktemp("models") / "tiny-gpt2")


@pytest.fixture(scope="module")
def tiny_gpt2_plain(tmp_path_factory):
    return build_tiny_gpt2(tmp_path_factory.mktemp("models") / "plain-gpt2", chat_template=False)


def test_transformers_generates_through_settings_and_loads_once(tiny_gpt2):
    options = {"model": str(tiny_gpt2), "device": "auto"}
    with llm("local", local=(TRANSFORMERS, options)):
        backend = get_backend()
        generation = backend.generate(request(max_tokens=8, temperature=0))
        again = get_backend()

    assert backend.external is False and isinstance(backend, LLMBackend)
    assert generation.text and (generation.backend, generation.model) == (
        "transformers",
        str(tiny_gpt2),
    )
    assert 1 <= generation.completion_tokens <= 8
    tokenizer = backend.loaded().tokenizer
    # The chat template (role: content lines, then "assistant:") was used, not a plain prompt.
    rendered = "".join(f"{m.role}: {m.content}\n" for m in MESSAGES) + "assistant:"
    assert generation.prompt_tokens == len(tokenizer(rendered)["input_ids"])
    assert again is backend
    assert build_backend("local", {"local": {"CLASS": TRANSFORMERS, "OPTIONS": options}}) is not (
        backend
    )
    rebuilt = build_backend("local", {"local": {"CLASS": TRANSFORMERS, "OPTIONS": options}})
    assert rebuilt.loaded().model is backend.loaded().model  # loaded once per process


def test_transformers_without_chat_template_uses_a_plain_prompt(tiny_gpt2_plain):
    with llm("local", local=(TRANSFORMERS, {"model": str(tiny_gpt2_plain)})):
        backend = get_backend()
        greedy = backend.generate(request(max_tokens=6, temperature=0))
        sampled = backend.generate(request(max_tokens=6, temperature=0.9))

    tokenizer = backend.loaded().tokenizer
    assert greedy.prompt_tokens == len(tokenizer(plain_prompt(MESSAGES))["input_ids"])
    assert greedy.text and sampled.text
    assert greedy.text == backend.generate(request(max_tokens=6, temperature=0)).text


def test_transformers_cuts_a_long_prompt_to_the_context(tiny_gpt2):
    long = [Message("user", "Describe this shirt in detail. " * 60)]
    with llm("local", local=(TRANSFORMERS, {"model": str(tiny_gpt2), "device": "cpu"})):
        generation = get_backend().generate(request(messages=long, max_tokens=500))

    assert generation.prompt_tokens + generation.completion_tokens <= 256  # n_positions
    assert generation.completion_tokens <= 128  # max_tokens clamped to half the context


def test_a_missing_model_is_unavailable_with_a_clear_message(tmp_path):
    missing = str(tmp_path / "no-such-model")
    with llm("local", local=(TRANSFORMERS, {"model": missing})):
        with pytest.raises(BackendUnavailable, match="local directory") as caught:
            get_backend().generate(request())
    assert missing in str(caught.value)


def test_an_unconfigured_model_is_unavailable():
    with pytest.raises(BackendUnavailable, match=r"\['model'\]"):
        get_backend("transformers").generate(request())


def test_a_bad_device_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="device"):
        build_backend("local", {"local": {"CLASS": TRANSFORMERS, "OPTIONS": {"device": "gpu"}}})


# -- registry and checks ---------------------------------------------------------------


def test_the_default_backend_is_offline_and_cached():
    backend = get_backend()
    assert isinstance(backend, OfflineBackend) and get_backend() is backend
    assert get_backend("offline") is backend


def test_changed_options_build_a_new_instance():
    first = get_backend("offline")
    with llm("offline", offline=(OFFLINE, {"html": False})):
        second = get_backend()
    assert second is not first and second.html is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"CLASS": "oscar_ai_crm.llm.backends.nowhere.Backend"}, "cannot be imported"),
        ({"CLASS": "os.path.join"}, "is not a class"),
        ({"CLASS": "collections.OrderedDict"}, "is not an LLM backend"),
        ({"CLASS": OFFLINE, "OPTIONS": {"colour": "red"}}, "do not fit"),
        ({"CLASS": OFFLINE, "OPTIONS": ["html"]}, "must be a dict"),
        ("offline", "must be a dict"),
    ],
)
def test_bad_backend_specs_are_configuration_errors(spec, message):
    with pytest.raises(ConfigurationError, match=message) as caught:
        build_backend("mine", {"mine": spec})
    assert "'mine'" in str(caught.value)


def test_an_unknown_alias_lists_the_known_ones():
    with pytest.raises(ConfigurationError, match=r"No LLM backend 'gpt'.*'offline', 'openai'"):
        get_backend("gpt")


def test_checks_pass_with_the_defaults(settings):
    settings.OSCAR_AI_CRM = {}
    assert check_llm_backends() == []


def test_check_reports_an_unknown_default_alias(settings):
    settings.OSCAR_AI_CRM = {"LLM": {"BACKEND": "ofline"}}

    [problem] = check_llm_backends()

    assert problem.id == "oscar_ai_crm.E011"
    assert "Did you mean 'offline'" in problem.hint


def test_check_reports_a_backend_that_cannot_be_built(settings):
    settings.OSCAR_AI_CRM = {
        "LLM": {"BACKENDS": {"offline": {"CLASS": OFFLINE}, "bad": {"CLASS": "no.such.Backend"}}}
    }

    [problem] = check_llm_backends()

    assert problem.id == "oscar_ai_crm.E012" and "'bad'" in problem.msg


def test_external_can_be_declared_whatever_the_url():
    from oscar_ai_crm.llm.backends.openai_backend import OpenAIBackend

    assert OpenAIBackend(base_url="http://127.0.0.1:9/v1", external=True).external
    assert not OpenAIBackend(base_url="https://llm.internal.example/v1", external=False).external
