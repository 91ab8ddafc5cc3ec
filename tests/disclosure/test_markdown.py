"""Notice bodies: Markdown renders, and nothing that could run or load ever comes out."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from governance_app.disclosure.services import ALLOWED_TAGS, render_markdown

REL = "noopener noreferrer nofollow"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def links(html: str) -> list[dict]:
    return [attrs for tag, attrs in elements(html) if tag == "a"]


def test_headings_lists_emphasis_and_tables_render():
    html = render_markdown("## 维修方案\n\n### 费用\n\n- 甲\n- 乙\n\n1. 一\n2. 二\n\n**重要** *注意* `代码`\n\n"
                           "> 引用\n\n| 项目 | 金额 |\n|---|---|\n| 电梯 | 12800 |\n")
    assert "<h2>维修方案</h2>" in html
    assert "<h3>费用</h3>" in html
    tags = [tag for tag, _attrs in elements(html)]
    assert tags.count("li") == 4
    assert {"ul", "ol", "strong", "em", "code", "blockquote", "table", "th", "td"} <= set(tags)


def test_links_render_with_rel_noopener_noreferrer_nofollow():
    html = render_markdown("[方案](https://example.org/plan?id=1) [信箱](mailto:yeweihui@example.org) "
                           "<https://example.org/auto> [相对](/estates/1/notices)")
    assert links(html) == [
        {"href": "https://example.org/plan?id=1", "rel": REL},
        {"href": "mailto:yeweihui@example.org", "rel": REL},
        {"href": "https://example.org/auto", "rel": REL},
        {"href": "/estates/1/notices", "rel": REL},
    ]


def test_raw_html_is_shown_as_text():
    html = render_markdown("候选人名单如下：\n\n<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<span style="color:red" onclick="alert(1)">x</span>',
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](https://evil.example/track.png)",
    "- <script>alert(1)</script>\n- [y](javascript:alert(1))",
    "## <img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<iframe src=https://evil.example></iframe>\n```",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_raw_html_scripts_javascript_links_and_data_urls_never_come_out(source):
    html = render_markdown(source)
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ({"href", "rel"} if tag == "a" else set()), (tag, attrs)
        if "href" in attrs:
            assert urlsplit(attrs["href"]).scheme in ("", "http", "https", "mailto"), attrs["href"]
        if tag == "a":
            assert attrs["rel"] == REL
    lowered = html.lower()
    for opening in ("<script", "<img", "<iframe", "<style", "<span"):
        assert opening not in lowered  # raw HTML at most shows as text: "&lt;script"
