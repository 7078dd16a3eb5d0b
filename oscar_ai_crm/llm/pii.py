"""Customer personal data taken out of a generation request before it leaves the server.

Two passes over every string: (1) the values the caller knows belong to the customer
(names, email, address lines, postcode, phone), matched case-insensitively, whole-word
for Latin text, longest first; (2) patterns that are personal data wherever they appear:
email addresses, phone numbers (international, UK/US/CN local formats) and postcodes in
their unambiguous forms (UK outward + inward code, US state + ZIP, CN 邮编 + six digits).
Prices, years, dates, dimensions and product codes are not phone numbers: the patterns
are written against them and tested so.

Replacements are typed placeholders: ``[EMAIL]``, ``[PHONE]``, ``[POSTCODE]``, and
``[PERSONAL]`` for a known value of no recognisable shape (a name, a street). A caller
may pass ``(value, kind)`` pairs to choose the placeholder (``("Ann", "name")`` ->
``[NAME]``). Whether to redact at all is :func:`must_redact`. See docs/llm-safety.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any

from oscar.core.loading import get_model

from ..conf import crm_settings
from .types import GenerationRequest, LLMBackend, Message

UserAddress = get_model("address", "UserAddress")

PersonalValue = str | tuple[str, str]

#: Known values shorter than this are not redacted (an initial would erase every "a").
MIN_VALUE_LENGTH = 2

_NOT_BEFORE = r"(?<![A-Za-z0-9_£$€¥+./:,\-])"
_NOT_AFTER = r"(?![A-Za-z0-9_/]|[.,][0-9]|-[A-Za-z0-9])"
_PHONE_FORMS = (
    r"\+[0-9][0-9 \u00a0().\-]{6,20}[0-9]",  # +44 20 7946 0958, +1 (555) 123-4567
    r"\([0-9]{2,5}\)[ .\-]?[0-9]{3,4}[ .\-]?[0-9]{3,4}",  # (555) 123-4567, (020) 7946 0958
    r"0[0-9]{2,4}[ .\-][0-9]{3,4}[ .\-]?[0-9]{3,4}",  # 020 7946 0958, 010-12345678
    r"0[0-9]{9,10}",  # 02079460958, 07700900123 (a 12/13-digit UPC/EAN is not)
    r"[0-9]{3}[ .\-][0-9]{3}[ .\-][0-9]{4}",  # 555-123-4567
    r"1[3-9][0-9][ \-]?[0-9]{4}[ \-]?[0-9]{4}",  # CN mobile 13812345678
)
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()

#: kind -> pattern; the named group ``v`` (or the whole match) is what gets replaced.
PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "email": [
        re.compile(
            r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
        )
    ],
    "phone": [re.compile(_NOT_BEFORE + f"(?:{'|'.join(_PHONE_FORMS)})" + _NOT_AFTER)],
    "postcode": [
        # UK, canonical form with its space: SW1A 1AA, M1 1AE, EC1A 1BB.
        re.compile(
            r"\b(?:GIR 0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? [0-9][ABD-HJLNP-UW-Z]{2})\b"
        ),
        # US ZIP after a state code: "NY 10001", "CA 94105-1234".
        re.compile(rf"\b(?:{'|'.join(_US_STATES)}),? (?P<v>[0-9]{{5}}(?:-[0-9]{{4}})?)(?![0-9])"),
        # CN: six digits only where labelled as a postcode.
        re.compile(r"(?:邮编|邮政编码|郵遞區號|郵編)[:：]?\s*(?P<v>[0-9]{6})(?![0-9])"),
    ],
}
_SHAPES = {kind: re.compile(rf"\s*(?:{p[0].pattern})\s*") for kind, p in PATTERNS.items()}


def placeholder(kind: str) -> str:
    """The text a value of this kind is replaced with: ``"email"`` -> ``"[EMAIL]"``."""
    return f"[{kind.strip().upper() or 'PERSONAL'}]"


def redact_text(text: str, personal_values: Iterable[PersonalValue] = ()) -> tuple[str, int]:
    """``text`` with personal data replaced by placeholders, and how many replacements.

    ``personal_values``: strings (their placeholder is guessed from their shape) or
    ``(value, kind)`` pairs. The patterns of :data:`PATTERNS` apply whatever is passed.
    """
    text, emails = _sub_pattern(PATTERNS["email"][0], "email", text)
    known = _known_values_pattern(personal_values)
    count = emails
    if known is not None:
        pattern, kinds = known
        text, n = pattern.subn(lambda m: placeholder(_kind_of(m.group(0), kinds)), text)
        count += n
    for kind in ("phone", "postcode"):
        for regex in PATTERNS[kind]:
            text, n = _sub_pattern(regex, kind, text)
            count += n
    return text, count


def _sub_pattern(regex: re.Pattern[str], kind: str, text: str) -> tuple[str, int]:
    def replace(match: re.Match[str]) -> str:
        if "v" not in regex.groupindex:
            return placeholder(kind)
        start, end = match.span("v")
        whole = match.group(0)
        offset = match.start()
        return whole[: start - offset] + placeholder(kind) + whole[end - offset :]

    return regex.subn(replace, text)


def _known_values_pattern(
    values: Iterable[PersonalValue],
) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One alternation of every known value, longest first, and casefolded value -> kind."""
    kinds: dict[str, str] = {}
    for item in values:
        if isinstance(item, str):
            value, kind = item, None
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            value, kind = item
        else:
            raise TypeError(f"personal values are strings or (value, kind) pairs, not {item!r}")
        value = " ".join(value.split())
        if len(value) >= MIN_VALUE_LENGTH:
            kinds.setdefault(value.casefold(), kind or _shape_of(value))
    if not kinds:
        return None
    alternatives = [_value_regex(v) for v in sorted(kinds, key=len, reverse=True)]
    return re.compile("|".join(alternatives), re.IGNORECASE), kinds


def _kind_of(matched: str, kinds: dict[str, str]) -> str:
    # The match may differ from the value in case and spacing only.
    return kinds.get(" ".join(matched.split()).casefold(), "personal")


def _value_regex(value: str) -> str:
    body = r"\s+".join(re.escape(part) for part in value.split())
    # Whole words for Latin letters and digits; CJK text has no spaces to anchor on.
    before = r"(?<![A-Za-z0-9\[])" if value[0].isascii() and value[0].isalnum() else ""
    after = r"(?![A-Za-z0-9\]])" if value[-1].isascii() and value[-1].isalnum() else ""
    return before + body + after


def _shape_of(value: str) -> str:
    for kind, shape in _SHAPES.items():
        if shape.fullmatch(value):
            return kind
    return "personal"


def redact_request(
    request: GenerationRequest, personal_values: Iterable[PersonalValue]
) -> tuple[GenerationRequest, int]:
    """A copy of ``request`` with personal data replaced in every message, fact and keyword.

    Facts are walked recursively (dicts, lists, tuples); their keys and non-string
    values are kept. The original request is not changed. Returns the copy and the
    number of replacements.
    """
    values = list(personal_values)
    count = 0

    def redact(text: str) -> str:
        nonlocal count
        text, n = redact_text(text, values)
        count += n
        return text

    messages = [Message(m.role, redact(m.content)) for m in request.messages]
    facts = _map_strings(request.facts, redact)
    keywords = [redact(k) for k in request.keywords]
    copy = dataclasses.replace(request, messages=messages, facts=facts, keywords=keywords)
    return copy, count


def _map_strings(value: Any, func: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return func(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, func) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_map_strings(item, func) for item in value)
    return value


def personal_values_for_user(user: Any) -> list[str]:
    """Every known piece of a customer's personal data: names, email, their Oscar addresses.

    From the user: full, first and last name, email and username; from each of their
    ``UserAddress`` rows: names, line1..line4, postcode and the phone number in E.164,
    national and international formats. Deduplicated, in that order.
    """
    values = [user.get_full_name(), user.first_name, user.last_name, user.email]
    values.append(user.get_username())
    for address in UserAddress._default_manager.filter(user=user):
        values += [f"{address.first_name} {address.last_name}", address.first_name]
        values += [address.last_name, address.line1, address.line2, address.line3]
        values += [address.line4, address.postcode, *_phone_formats(address.phone_number)]
    unique = dict.fromkeys(" ".join(str(v).split()) for v in values if v)
    return [v for v in unique if len(v) >= MIN_VALUE_LENGTH]


def _phone_formats(phone: Any) -> list[str]:
    if not phone:
        return []
    formats = [str(phone)]
    for name in ("as_e164", "as_national", "as_international"):
        formats.append(getattr(phone, name, "") or "")
    return formats


def must_redact(backend: LLMBackend) -> bool:
    """True when requests to ``backend`` must be redacted first.

    That is when the backend is external (a backend that does not say is treated as
    external) and ``PRIVACY["SEND_PII_TO_EXTERNAL_LLM"]`` is off.
    """
    external = bool(getattr(backend, "external", True))
    return external and not crm_settings.PRIVACY["SEND_PII_TO_EXTERNAL_LLM"]
