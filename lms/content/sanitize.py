"""The one place where course Markdown becomes HTML: rendered, then cleaned by bleach
with an allow-list. Swapping the sanitiser means changing this file only."""

import bleach
import markdown
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "strong", "em", "b", "i", "ul", "ol", "li", "a", "br", "code"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https"})


def render_markdown(text: str) -> Markup:
    """Markdown to safe HTML: any tag, attribute or link scheme not allowed is removed."""
    html = markdown.markdown(text, output_format="html")
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    # No linkify: a scam lesson names fake web addresses, which must never become links.
    return Markup(cleaned)  # noqa: S704 (cleaned by the allow-list just above)


def plain_text(text: str) -> str:
    """Text with every tag removed, for alt text, speech and titles."""
    return bleach.clean(text, tags=set(), strip=True)
