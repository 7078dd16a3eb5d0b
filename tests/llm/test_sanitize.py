"""sanitize_html: known XSS payloads never survive, benign formatting does; plain_text."""

import re

import pytest

from oscar_ai_crm.llm.sanitize import ALLOWED_TAGS, plain_text, sanitize_html

#: Filter-evasion payloads, most from the OWASP XSS Filter Evasion Cheat Sheet, some from
#: later mutation-XSS and SVG/MathML research, written out so the test never fetches.
XSS_PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://cdn.example.net/xss.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    '&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
    "&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICKME</math>',
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH" AllowScriptAccess="always">',
    '<p onclick="alert(1)" style="color:red" onLoad=\'x()\'>hi</p>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="jAvAsCrIpT&colon;alert(1)">x</a>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<video><source onerror="alert(1)">',
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<img src=x onerror=alert(1)",  # unclosed
    "<p>ok<script>alert(1)",  # unclosed script
    "<b onmouseover=alert(1)>bold</b",  # unterminated closing tag
    "<ImG sRc=x OnErRoR=alert(1)>",
    "<object data=\"javascript:alert('XSS')\"></object>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<x onclick=alert(1)>click</x>",
]

FORBIDDEN = ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "<math")
TAG = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)([^>]*)>")


def test_there_are_enough_payloads():
    assert len(XSS_PAYLOADS) >= 25


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("wrap", ["{}", "Intro text.\n\n{}\n\nOutro.", "<p>Intro</p>{}<p>x</p>"])
def test_no_payload_survives(payload, wrap):
    cleaned = sanitize_html(wrap.format(payload)).lower()
    for needle in FORBIDDEN:
        assert needle not in cleaned, (payload, cleaned)
    for name, attributes in TAG.findall(cleaned):
        assert name in ALLOWED_TAGS, (payload, cleaned)
        assert attributes.strip() in ("", "/"), (payload, cleaned)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_cleaning_twice_changes_nothing(payload):
    once = sanitize_html(payload)
    assert sanitize_html(once) == once


def test_benign_formatting_survives_unchanged():
    html = (
        "<h3>Linen shirt</h3><p>Soft <strong>washed</strong> linen, <em>relaxed</em> fit.<br>"
        "Machine washable.</p><ul><li>Breathable</li><li>Two <b>pockets</b></li></ul>"
        "<ol><li>Wash</li><li>Wear</li></ol><h4>Care</h4><blockquote><i>Lovely</i></blockquote>"
    )
    assert sanitize_html(html) == html


def test_attributes_are_removed_from_allowed_tags():
    html = '<p class="lead" id="x" style="color:red" title="t">Hello</p>'
    assert sanitize_html(html) == "<p>Hello</p>"


def test_links_are_dropped_and_their_text_kept():
    html = '<p>See <a href="https://example.com" target="_blank">our site</a>.</p>'
    assert sanitize_html(html) == "<p>See our site.</p>"


def test_tags_outside_the_allow_list_are_unwrapped_dangerous_ones_emptied():
    html = "<div><span>Kept</span><h1>Big</h1><style>p{}</style><script>x()</script></div>"
    assert sanitize_html(html) == "<p>KeptBig</p>"


def test_comments_are_stripped():
    assert sanitize_html("<p>a<!-- secret -->b</p>") == "<p>ab</p>"


def test_plain_text_becomes_escaped_paragraphs():
    text = 'Fish & chips <3 you.\nSecond line.\n\n\nNew paragraph with "quotes".'
    assert sanitize_html(text) == (
        '<p>Fish &amp; chips &lt;3 you.<br>Second line.</p><p>New paragraph with "quotes".</p>'
    )


def test_entities_in_plain_text_are_read_once_not_turned_into_markup():
    assert sanitize_html("Salt &amp; pepper") == "<p>Salt &amp; pepper</p>"
    assert sanitize_html("&lt;script&gt;alert(1)&lt;/script&gt;") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_markdown_bullets_numbers_headings_and_bold():
    text = (
        "## Why you'll love it\nIt is **soft**.\n\n- Pure linen\n* Two pockets\n• Relaxed fit"
        "\n\n1. Wash cold\n2) Dry flat\n\nA - not a list"
    )
    assert sanitize_html(text) == (
        "<h3>Why you'll love it</h3><p>It is <strong>soft</strong>.</p>"
        "<ul><li>Pure linen</li><li>Two pockets</li><li>Relaxed fit</li></ul>"
        "<ol><li>Wash cold</li><li>Dry flat</li></ol><p>A - not a list</p>"
    )


def test_lines_around_a_list_stay_paragraphs():
    assert sanitize_html("Features:\n- soft\n- light\nThat is all.\n# End") == (
        "<p>Features:</p><ul><li>soft</li><li>light</li></ul><p>That is all.</p><h3>End</h3>"
    )


def test_inline_html_without_blocks_is_put_into_paragraphs():
    text = "Soft <strong>linen</strong>.\n\n- one\n- <em>two</em>\n\n<b>bold\n\nsplit</b>"
    assert sanitize_html(text) == (
        "<p>Soft <strong>linen</strong>.</p><ul><li>one</li><li><em>two</em></li></ul>"
        "<p><b>bold</b></p><p><b>split</b></p>"
    )


def test_chinese_text_is_kept():
    assert sanitize_html("纯亚麻衬衫。\n\n- 透气\n- 两个口袋") == (
        "<p>纯亚麻衬衫。</p><ul><li>透气</li><li>两个口袋</li></ul>"
    )


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_gives_an_empty_fragment(text):
    assert sanitize_html(text) == ""


def test_a_non_string_is_a_clear_error():
    with pytest.raises(TypeError, match="takes a str"):
        sanitize_html(None)  # type: ignore[arg-type]


def test_plain_text_of_html():
    html = (
        "<h3>Title</h3><p>Salt &amp; pepper &lt;3<br>next</p><script>alert(1)</script>"
        "<ul><li>one</li><li>two   words</li></ul><style>p{}</style>"
    )
    assert plain_text(html) == "Title\nSalt & pepper <3\nnext\none\ntwo words"


def test_plain_text_of_plain_text_and_a_one_line_subject():
    assert plain_text("Spring  sale:\n\n 20% off & more ") == "Spring sale:\n20% off & more"
    subject = " ".join(plain_text(sanitize_html("<p>Spring <b>sale</b></p><p>now</p>")).split())
    assert subject == "Spring sale now"
