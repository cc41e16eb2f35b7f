"""Formatted text that officials type (a call's description): a small Markdown subset turned
into HTML, then sanitised, so what reaches a page is safe whatever was typed.

markdown-it-py parses CommonMark with raw HTML switched off (a ``<script>`` is shown as text);
nh3 (the Ammonia sanitiser) then keeps only paragraphs, emphasis, lists, headings and links,
and only http(s)/mailto links, which open with rel="noopener noreferrer nofollow".
"""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True}
).disable(["image"])

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}

# GOV.UK Frontend classes, added after sanitising (nh3 drops class attributes).
_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
}


def render(text: str | None) -> Markup:
    """Safe HTML for ``text``: paragraphs, **bold**, *italic*, lists, links; headings of any
    level become small headings, so a description never outranks the page's own."""
    source = (text or "").replace("\r\n", "\n")
    html = _PARSER.render(source)
    for level in ("1", "2", "5", "6"):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    for plain, styled in _CLASSES.items():
        clean = clean.replace(plain, styled)
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
