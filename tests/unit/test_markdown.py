"""Text from tools, files and pull requests stays text on GitHub (cmark-gfm)."""

from __future__ import annotations

import pytest

from mvp_process import markdown, redact
from support import gfm

ZWSP = "\u200b"
CONTAINERS = {
    "paragraph": ("{}", {"p"}),
    "list item": ("- {}", {"ul", "li"}),
    "quote": ("> {}", {"blockquote", "p"}),
    "table cell": (
        "| a | b |\n| --- | --- |\n| x | {} |",
        {"table", "thead", "tbody", "tr", "th", "td"},
    ),
}
VALUES = [gfm.HOSTILE, *gfm.HOSTILE_LINES, "two\nlines\r\nand\rmore", "a\\", ""]


@pytest.mark.parametrize("where", CONTAINERS)
@pytest.mark.parametrize("value", VALUES)
def test_text_renders_as_it_reads_and_nothing_more(where: str, value: str) -> None:
    shape, tags = CONTAINERS[where]
    page = gfm.render(shape.format(markdown.text(value)))
    assert page.names <= tags, page.tags
    assert page.mentions() == [] and page.references() == [], page.linkable
    shown = page.text.replace(ZWSP, "").strip()
    expected = " ".join(value.splitlines())
    assert shown.endswith(expected), (shown, expected)


def test_the_hostile_text_would_have_been_markup() -> None:
    page = gfm.render(gfm.HOSTILE)
    assert {"b", "img", "a", "del", "strong", "em", "code"} <= page.names
    assert page.mentions() and page.references()
    assert gfm.render("- [ ] task").names >= {"input"}


@pytest.mark.parametrize(
    "value",
    ["plain", "a`b", "``x``", "`", " lead", "trail ", "a|b", "@octocat #1 <b>x</b>"],
)
@pytest.mark.parametrize("cell", [False, True])
def test_code_spans_hold_any_name(value: str, cell: bool) -> None:
    span = markdown.code(value, cell=cell)
    shape = "| a |\n| --- |\n| {} |" if cell else "{}"
    page = gfm.render(shape.format(span))
    assert page.codes == [value] and not {"b", "a", "img"} & page.names
    assert page.mentions() == [] and page.references() == []


def test_an_empty_code_span_is_nothing() -> None:
    assert markdown.code("") == "" and markdown.code("\n") == ""


def test_code_is_on_one_line() -> None:
    assert gfm.render(markdown.code("a\nb")).codes == ["a b"]


def test_blocks_cannot_be_closed_from_inside() -> None:
    lines = ["```", "````text", "~~~", "</code></pre><b>x</b>", "@octocat #1", "a\rb"]
    page = gfm.render(markdown.block(lines) + "after\n")
    assert [tag for tag, _ in page.tags] == ["pre", "code", "p"]
    code = "```\n````text\n~~~\n</code></pre><b>x</b>\n@octocat #1\na\nb\n"
    assert page.codes == [code] and page.text.endswith("after\n")
    assert markdown.block([]) == "```text\n```\n"


def test_secrets_are_redacted_before_escaping() -> None:
    redact.register("ghs_secret_token-1")
    for rendered in (
        markdown.text("token ghs_secret_token-1 here"),
        markdown.code("ghs_secret_token-1"),
        markdown.block(["ghs_secret_token-1"]),
    ):
        assert "secret" not in gfm.render(rendered).text
