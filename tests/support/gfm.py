"""What our Markdown becomes on GitHub: cmark-gfm, then GitHub's own filters.

GitHub renders comments, job summaries and descriptions with cmark-gfm (its
fork of cmark, here through `cmarkgfm`) and the extensions it enables: table,
strikethrough, autolink, tagfilter and tasklist. Raw HTML is kept (GitHub's
sanitizer then keeps many tags, `<b>` and `<img>` among them), so it is
rendered with `CMARK_OPT_UNSAFE`: any tag our text lets through shows up.
After rendering, GitHub links @-mentions (which notify) and #-references
(which add a cross-reference to the issue) in text outside code and links;
`Rendered` finds those with the patterns GitHub's filters use.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

EXTENSIONS = ("table", "strikethrough", "autolink", "tagfilter", "tasklist")
# html-pipeline's MentionFilter, simplified to match more, never less.
MENTION = re.compile(r"(?:^|\W)@[a-z0-9]", re.IGNORECASE)
REFERENCE = re.compile(
    r"(?:^|[^\w&])(?:[\w.-]+/[\w.-]+)?#[0-9]|\bGH-[0-9]", re.IGNORECASE
)
INERT = {"code", "pre", "a"}  # GitHub's filters skip text inside these


class Rendered(HTMLParser):
    """The tags of the rendered HTML, and its text (all, and where filters run)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.linkable = ""
        self.codes: list[str] = []  # the text of each <code>
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "code":
            self.codes.append("")
        if tag not in ("br", "hr", "img", "input"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self.text += data
        if "code" in self._open:
            self.codes[-1] += data
        if not INERT & set(self._open):
            self.linkable += data + "\n"

    @property
    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    def mentions(self) -> list[str]:
        return [m.group() for m in MENTION.finditer(self.linkable)]

    def references(self) -> list[str]:
        return [m.group() for m in REFERENCE.finditer(self.linkable)]

    def links(self) -> list[str]:
        return [str(attrs.get("href")) for tag, attrs in self.tags if tag == "a"]


def html(markdown: str) -> str:
    return str(
        cmarkgfm.markdown_to_html_with_extensions(
            markdown, options=Options.CMARK_OPT_UNSAFE, extensions=list(EXTENSIONS)
        )
    )


def render(markdown: str) -> Rendered:
    page = Rendered()
    page.feed(html(markdown))
    page.close()
    return page


# Text from tools, files and pull requests that must stay text everywhere.
HOSTILE = (
    "<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script> "
    "![pixel](https://evil.example/p.png) [click](https://evil.example) "
    "@octocat @org/team #1 GH-2 owner/repo#3 https://evil.example/x www.evil.example "
    "mallory@evil.example ~~struck~~ **strong** _em_ `code` | cell | &amp; &lt; "
    "\\| \\ end"
)
HOSTILE_LINES = (
    "- [ ] task",
    "# heading",
    "> quote",
    "| a | b |",
    "```",
    "~~~",
    "<!-- comment -->",
    "<details><summary>x</summary>",
    "1. list",
    "---",
)


def shown(markdown: str) -> str:
    """The text a reader sees (without the zero-width spaces we insert)."""
    return render(markdown).text.replace("\u200b", "")
