"""Markdown for GitHub, where text from tools, files and pull requests stays text.

The one place that escapes for every Markdown destination (the gate table,
the job summary, the sticky comment, the pull-request report). GitHub renders
them with cmark-gfm and its table, strikethrough, autolink, tagfilter and
tasklist extensions, then links @-mentions (which notify) and #-references
(which add a cross-reference to the issue) in text outside code:

- `text`: inline text (a paragraph, a list item, a quote, a table cell).
  Every ASCII punctuation character is backslash-escaped (CommonMark allows
  it for all of them), so no HTML, emphasis, link, image, autolink, code,
  heading, list or table cell starts; line breaks become spaces; a zero-width
  space after `@`, `#` and `GH-` keeps mentions and references from forming.
- `code`: an inline code span, for names (commits, refs, files): nothing
  inside a code span is markup, a mention or a reference; the fence is longer
  than any run of backticks inside.
- `block`: a fenced code block for lines of tool output, with the same fence.
- `link`: a link whose destination is percent-encoded, so no character of a
  file name ends it early or adds a title.

Secrets are redacted before escaping: an escaped secret would no longer be
found by `redact` afterwards.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from urllib.parse import quote

from mvp_process.redact import redact

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_BREAK = "&#8203;"  # a zero-width space: invisible, and no word character
_LINKING = re.compile(r"(\\@|\\#|(?<![0-9A-Za-z])GH\\-)", re.IGNORECASE)
_TICKS = re.compile("`+")


def _one_line(value: str) -> str:
    return " ".join(redact(value).splitlines())


def text(value: str) -> str:
    """`value` as inline text that renders exactly as it reads, on one line."""
    escaped = _PUNCTUATION.sub(r"\\\1", _one_line(value))
    return _LINKING.sub(lambda m: m.group() + _BREAK, escaped)


def _fence(values: Iterable[str], least: int) -> str:
    longest = max((len(r) for v in values for r in _TICKS.findall(v)), default=0)
    return "`" * max(least, longest + 1)


def code(value: str, *, cell: bool = False) -> str:
    """`value` as an inline code span; `cell=True` inside a table row."""
    flat = _one_line(value)
    if not flat:
        return ""
    fence = _fence([flat], 1)
    pad = " " if flat[0] in "` " or flat[-1] in "` " else ""
    if cell:  # GFM splits table cells first, even inside code spans
        flat = flat.replace("|", "\\|")
    return f"{fence}{pad}{flat}{pad}{fence}"


def block(lines: Iterable[str], info: str = "text") -> str:
    """Lines of tool output as a fenced code block (ending with a newline)."""
    physical = [part for line in lines for part in redact(line).splitlines() or [""]]
    fence = _fence(physical, 3)
    return "".join(f"{line}\n" for line in [fence + info, *physical, fence])


def link(label: str, url: str) -> str:
    """`[label](url)`: `label` is Markdown already escaped (`text`, `code`)."""
    return f"[{label}]({quote(redact(url), safe=_URL_SAFE)})"


# RFC 3986's reserved and unreserved characters, less what ends a Markdown
# link destination or starts a title: ( ) < > and quotes.
_URL_SAFE = ":/?#[]@!$&*+,;=-._~%"
