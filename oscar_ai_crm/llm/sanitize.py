"""Model output -> a safe HTML fragment (nh3 allow-list), and HTML -> plain text.

Oscar renders a product's description unescaped (``{{ product.description|safe }}``), so
whatever a model writes is cleaned here before it is stored. nh3 (Rust ammonia) parses
the text the way a browser does and keeps only :data:`ALLOWED_TAGS`, with no attributes at
all: no ``on*`` handlers, no ``style``, no ``href``/``src``, so no URL scheme can get
through. Links are dropped (their text stays): a description has no business sending
shoppers elsewhere, and models invent URLs.

Text without tags (what most models write) becomes paragraphs: blank lines separate
paragraphs, single newlines become ``<br>``; consecutive lines starting with ``- ``,
``* `` or ``• `` become a ``<ul>``, ``1. `` / ``1) `` lines an ``<ol>``, a ``#``...``####``
line an ``<h3>``, and ``**bold**`` ``<strong>``. Everything else is HTML-escaped.
See docs/llm-safety.md.
"""

from __future__ import annotations

import html
import itertools
import re

import nh3

#: The only tags a cleaned fragment may contain (no attributes on any of them).
ALLOWED_TAGS: frozenset[str] = frozenset(
    {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "blockquote"}
)

#: Tags removed *with* their content (others are unwrapped: tag gone, text kept).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "template", "noscript", "noembed", "noframes", "xmp", "plaintext",
        "textarea", "select", "option", "button", "title", "head", "audio", "video",
        "canvas",
    }
)  # fmt: skip

_BLOCK_TAG = re.compile(r"<\s*/?\s*(p|ul|ol|li|h3|h4|blockquote)\b", re.IGNORECASE)
_TAG_LIKE = re.compile(r"<\s*[a-zA-Z!/?]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,4}\s+(.*)$")
_LINE_PATTERNS = {"h3": _HEADING, "ul": _BULLET, "ol": _NUMBERED}
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BLOCK_END = re.compile(r"<br\s*/?>|</(p|li|h3|h4|blockquote|ul|ol)>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _clean(fragment: str, tags: frozenset[str] = ALLOWED_TAGS) -> str:
    return nh3.clean(
        fragment,
        tags=set(tags),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"*": set()},  # also clears ammonia's default generic title/lang
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )


def sanitize_html(text: str) -> str:
    """The model's output as an HTML fragment that is safe to render unescaped.

    Plain text (no tags) is escaped and laid out as paragraphs and lists; text with tags
    is cleaned to :data:`ALLOWED_TAGS`, and wrapped in paragraphs when it has no block
    tags of its own. Either way the result has been through nh3 last.
    """
    if not isinstance(text, str):
        raise TypeError(f"sanitize_html() takes a str, not {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if not _TAG_LIKE.search(text):
        return _clean(_text_to_html(text))
    cleaned = _clean(text).strip()
    if _BLOCK_TAG.search(cleaned):
        return cleaned
    # Already safe inline HTML: only block markup is added (nothing escaped twice), then
    # cleaned again so a paragraph break inside an inline tag is re-balanced.
    return _clean(_text_to_html(cleaned, escape=False))


def _text_to_html(text: str, escape: bool = True) -> str:
    """Text laid out as blocks (see the module docstring), escaped unless already HTML."""
    blocks = _BLANK_LINES.split(text)
    return "".join(_block(block, escape) for block in blocks if block.strip())


def _block(block: str, escape: bool) -> str:
    """Runs of bullet lines -> <ul>, numbered -> <ol>, "# " lines -> <h3>, the rest -> <p>."""
    lines = [line for line in block.split("\n") if line.strip()]
    parts = []
    for kind, run in itertools.groupby(lines, key=_line_kind):
        if kind == "p":
            parts.append(
                "<p>" + "<br>".join(_inline(line.strip(), escape) for line in run) + "</p>"
            )
            continue
        pattern = _LINE_PATTERNS[kind]
        items = [_inline(m.group(1), escape) for m in map(pattern.match, run) if m]
        if kind == "h3":
            parts += [f"<h3>{item}</h3>" for item in items]
        else:
            parts.append(f"<{kind}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{kind}>")
    return "".join(parts)


def _line_kind(line: str) -> str:
    return next((kind for kind, p in _LINE_PATTERNS.items() if p.match(line)), "p")


def _inline(line: str, escape: bool) -> str:
    # Entities a model wrote in plain text ("&amp;") are read as the characters they
    # stand for and escaped once, so they neither show raw nor turn into markup.
    text = html.escape(html.unescape(line), quote=False) if escape else line
    return _BOLD.sub(r"<strong>\1</strong>", text)


def plain_text(html_text: str) -> str:
    """The visible text of an HTML fragment (or of plain text), for places without HTML.

    Tags are removed (script/style and the other :data:`DROPPED_WITH_CONTENT` with their
    content), entities decoded, runs of spaces collapsed; block ends (``</p>``, ``<br>``,
    ``</li>``...) become line breaks, blank lines are dropped. The result is *text*: it may
    contain ``<`` and must be escaped wherever it is put into HTML (Django templates do).
    For a one-line context such as an email subject use ``" ".join(plain_text(x).split())``.
    """
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", html_text)
    text = html.unescape(_clean(marked, tags=frozenset()))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
