"""System checks (``manage.py check``) for the OSCAR_AI_CRM settings and the install."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .conf import DEFAULTS, SETTINGS_NAME

# Expected Python type of every setting, by section and key.
TYPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "CAPTURE": {
        "ENABLED": bool,
        "ANONYMOUS": bool,
        "CREATE_SESSIONS": bool,
        "HONOUR_DO_NOT_TRACK": bool,
        "BOT_USER_AGENTS": (list, tuple),
        "IGNORE_EMPTY_USER_AGENT": bool,
        "MAX_QUERY_LENGTH": int,
        "WRITE_MODE": str,
        "BACKGROUND_QUEUE_SIZE": int,
        "BACKGROUND_FLUSH_SECONDS": (int, float),
    },
    "PRIVACY": {"SEND_PII_TO_EXTERNAL_LLM": bool},
    "TASKS": {"CLUSTER": (str, type(None)), "Q_OPTIONS": dict},
    "RECOMMENDATIONS": {
        "MODELS": dict,
        "SERVE": str,
        "SIMILAR": (str, type(None)),
        "SIMILAR_TEXT": (str, type(None)),
        "BOUGHT_TOGETHER": (str, type(None)),
        "EVENT_WEIGHTS": dict,
        "TRAINING_DAYS": (int, type(None)),
        "TOP_N": int,
        "EXCLUDE_PURCHASED": bool,
        "EVALUATION": dict,
        "PROMOTION_TOLERANCE": (int, float),
        "PROMOTION_METRIC": str,
        "RULES_CLASS": str,
        "CACHE_SECONDS": int,
        "SCHEDULE": (str, type(None)),
    },
    "SEGMENTS": {
        "K_MIN": int,
        "K_MAX": int,
        "RANDOM_STATE": int,
        "MINIBATCH_ABOVE": int,
        "SILHOUETTE_SAMPLE": int,
        "INTENT_HORIZON_DAYS": (int, float),
        "CHURN_DAYS": (int, float),
        "ABANDON_WINDOW_DAYS": (int, float),
        "BOT_EVENTS_PER_DAY": int,
        "CLIP_QUANTILE": (float, type(None)),
        "HISTORY_DAYS": (int, type(None)),
        "SCHEDULE": (str, type(None)),
        "PERSONA_NAMER": (str, type(None)),
        "REFERENCE_LABELS": (str, type(None)),
    },
    "LLM": {
        "BACKEND": str,
        "BACKENDS": dict,
        "MAX_TOKENS": int,
        "TEMPERATURE": (int, float),
        "CONCURRENCY": int,
        "REQUESTS_PER_MINUTE": (int, float),
        "BATCH_SIZE": int,
        "AUTO_PUBLISH": bool,
        "TONES": (list, tuple),
        "LANGUAGES": (list, tuple),
        "LENGTHS": dict,
    },
    "SUPPORT": {
        "ENABLED": bool,
        "LLM_BACKEND": (str, type(None)),
        "ENCODER": str,
        "ANSWER_THRESHOLD": (int, float),
        "MAX_ARTICLES": int,
        "MAX_MESSAGE_LENGTH": int,
        "RATE_LIMIT_MESSAGES": int,
        "RATE_LIMIT_SECONDS": (int, float),
        "RECENT_ORDERS": int,
        "POLL_SECONDS": (int, float),
    },
}


WRITE_MODES = ("background", "inline")


def _error(msg: str, hint: str, id: int) -> Error:
    return Error(msg, hint=hint, obj=SETTINGS_NAME, id=f"oscar_ai_crm.E{id:03d}")


def _suggest(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"Did you mean {close[0]!r}? " if close else ""


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs) -> list[Error]:
    user = getattr(settings, SETTINGS_NAME, {})
    if not isinstance(user, dict):
        return [
            _error(
                f"{SETTINGS_NAME} must be a dict, not {type(user).__name__}.",
                "Set it to a dict of sections, e.g. {'CAPTURE': {'ENABLED': True}}.",
                1,
            )
        ]
    errors: list[Error] = []
    for section, values in user.items():
        if section not in DEFAULTS:
            errors.append(
                _error(
                    f"Unknown {SETTINGS_NAME} section {section!r}.",
                    f"{_suggest(section, DEFAULTS)}Sections: {', '.join(DEFAULTS)}.",
                    2,
                )
            )
        elif not isinstance(values, dict):
            errors.append(
                _error(
                    f"{SETTINGS_NAME}[{section!r}] must be a dict.",
                    "Each section is a dict of KEY: value.",
                    1,
                )
            )
        else:
            errors += _check_section(section, values)
    return errors


def _check_section(section: str, values: dict[str, Any]) -> list[Error]:
    errors = []
    for key, value in values.items():
        expected = TYPES[section].get(key)
        where = f"{SETTINGS_NAME}[{section!r}][{key!r}]"
        if expected is None:
            errors.append(
                _error(
                    f"Unknown setting {where}.",
                    f"{_suggest(key, TYPES[section])}Keys of {section}: "
                    f"{', '.join(TYPES[section])}. See docs/settings.md.",
                    3,
                )
            )
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            errors.append(
                _error(
                    f"{where} has the wrong type ({type(value).__name__}).",
                    f"Expected {_type_name(expected)}; default: {DEFAULTS[section][key]!r}.",
                    4,
                )
            )
    if section == "CAPTURE":
        errors += _check_bot_patterns(values.get("BOT_USER_AGENTS", []))
        if values.get("WRITE_MODE", "background") not in WRITE_MODES:
            errors.append(
                _error(
                    f"CAPTURE['WRITE_MODE'] must be one of {WRITE_MODES}, "
                    f"not {values['WRITE_MODE']!r}.",
                    "'background' writes off the request path; 'inline' during it.",
                    6,
                )
            )
    return errors


def _type_name(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join("None" if t is type(None) else t.__name__ for t in types)


def _check_bot_patterns(patterns: Any) -> list[Error]:
    errors = []
    for pattern in patterns if isinstance(patterns, (list, tuple)) else []:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            errors.append(
                _error(
                    f"BOT_USER_AGENTS pattern {pattern!r} is not a regular expression: {exc}.",
                    "Fix or remove the pattern in OSCAR_AI_CRM['CAPTURE']['BOT_USER_AGENTS'].",
                    5,
                )
            )
    return errors


@register(Tags.compatibility)
def check_install(app_configs=None, **kwargs) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if "django_q" not in settings.INSTALLED_APPS:
        problems.append(
            Error(
                "django_q is not in INSTALLED_APPS; oscar_ai_crm runs its training "
                "and generation as django-q2 tasks.",
                hint="Add 'django_q' to INSTALLED_APPS and configure Q_CLUSTER "
                "(docs/installation.md).",
                id="oscar_ai_crm.E010",
            )
        )
    if "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE:
        problems.append(
            Warning(
                "SessionMiddleware is not installed: anonymous visitors cannot be "
                "recorded or merged into customers at login.",
                hint="Add django.contrib.sessions.middleware.SessionMiddleware, or "
                "set OSCAR_AI_CRM['CAPTURE']['ANONYMOUS'] = False.",
                id="oscar_ai_crm.W001",
            )
        )
    return problems


@register(Tags.compatibility)
def check_recommenders(app_configs=None, **kwargs) -> list[Error]:
    """Every configured recommender can be built; every alias the settings use exists."""
    from .conf import crm_settings
    from .exceptions import ConfigurationError
    from .recommenders.registry import build_recommender, model_specs

    try:
        specs = model_specs()
    except (AttributeError, TypeError, ValueError):
        return []  # a malformed section is reported by check_settings
    errors: list[Error] = []
    for name in specs:
        try:
            build_recommender(name, specs)
        except (ConfigurationError, RecursionError) as exc:
            hint = "Check the CLASS import string and the OPTIONS it accepts."
            errors.append(_error(str(exc)[:500], hint, 7))
    settings = crm_settings.RECOMMENDATIONS
    for key in ("SERVE", "SIMILAR", "SIMILAR_TEXT", "BOUGHT_TOGETHER"):
        alias = settings.get(key)
        if alias and alias not in specs:
            errors.append(
                _error(
                    f"RECOMMENDATIONS[{key!r}] = {alias!r} is not an alias in MODELS.",
                    f"{_suggest(alias, specs)}Aliases: {', '.join(specs)}.",
                    8,
                )
            )
    return errors


@register(Tags.compatibility)
def check_llm_backends(app_configs=None, **kwargs) -> list[Error]:
    """Every configured LLM backend can be built; ``LLM["BACKEND"]`` names one of them."""
    from .conf import crm_settings
    from .exceptions import ConfigurationError
    from .llm.backends import backend_specs, build_backend

    try:
        specs = backend_specs()
    except (AttributeError, TypeError, ValueError):
        return []  # a malformed section is reported by check_settings
    errors: list[Error] = []
    for name in specs:
        try:
            build_backend(name, specs)
        except ConfigurationError as exc:
            hint = "Check the CLASS import string and the OPTIONS it accepts (docs/llm.md)."
            errors.append(_error(str(exc)[:500], hint, 12))
    alias = crm_settings.LLM.get("BACKEND")
    if alias not in specs:
        errors.append(
            _error(
                f"LLM['BACKEND'] = {alias!r} is not an alias in LLM['BACKENDS'].",
                f"{_suggest(str(alias), specs)}Aliases: {', '.join(specs)}.",
                11,
            )
        )
    return errors


@register(Tags.compatibility)
def check_support(app_configs=None, **kwargs) -> list[Error]:
    """``SUPPORT["ENCODER"]`` is a known encoder; ``SUPPORT["LLM_BACKEND"]`` an LLM alias."""
    from .conf import crm_settings
    from .llm.backends import backend_specs
    from .recommenders.content import ENCODERS

    try:
        support, specs = crm_settings.SUPPORT, backend_specs()
    except (AttributeError, TypeError, ValueError):
        return []  # a malformed section is reported by check_settings
    errors: list[Error] = []
    encoder = support.get("ENCODER")
    if encoder not in ENCODERS:
        errors.append(
            _error(
                f"SUPPORT['ENCODER'] = {encoder!r} is not a knowledge-base encoder.",
                f"{_suggest(str(encoder), ENCODERS)}Encoders: {', '.join(ENCODERS)}.",
                13,
            )
        )
    alias = support.get("LLM_BACKEND")
    if alias is not None and alias not in specs:
        errors.append(
            _error(
                f"SUPPORT['LLM_BACKEND'] = {alias!r} is not an alias in LLM['BACKENDS'].",
                f"{_suggest(str(alias), specs)}Aliases: {', '.join(specs)}; "
                "None quotes the best article without a language model.",
                14,
            )
        )
    return errors
