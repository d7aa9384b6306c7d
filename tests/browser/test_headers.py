"""Every page each role can reach, loaded in Chromium: no Content-Security-Policy violation,
no console error, no script error. The pages are found by following the site's own links,
so a new page is covered as soon as something links to it."""

from urllib.parse import urldefrag, urlsplit

import pytest

from ..conftest import TEST_PASSWORD, TEST_PIN
from .conftest import PHONE

PAGES_PER_ROLE = 60
# Links that change state or leave the page: never followed by the crawler.
NOT_FOLLOWED = ("/logout", "/static/", "/content/", "/sw.js", "/manifest", "format=")
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') +
                           ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _sign_in(page, base: str, who: str, world) -> None:
    page.goto(base + "/login")
    if who == "anonymous":
        return
    if who == "household":
        page.fill("input[name=phone]", "0911000001")
        page.fill("input[name=secret]", TEST_PIN)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("button", name=world["mine"].members[0].name).click()
        page.wait_for_url("**/learn")
        return
    page.fill("input[name=phone]", world[who].phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href)[0]
        if url.startswith(base) and not any(part in url for part in NOT_FOLLOWED):
            found.append(url)
    return found


@pytest.mark.parametrize("who", ["anonymous", "household", "ambassador", "official", "admin"])
def test_no_page_breaks_the_security_policy_or_logs_an_error(live_server, browser, world, who):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(
        f"console: {message.text} on {page.url}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error} on {page.url}"))
    _sign_in(page, live_server, who, world)
    start = page.url
    queue, seen = [start], set()
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if urlsplit(url)._replace(fragment="").geturl() in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        page.wait_for_load_state("load")
        assert response is not None and response.status < 500, f"{url}: {response.status}"
        problems.extend(f"CSP: {v} on {url}" for v in page.evaluate("window.__violations"))
        queue.extend(link for link in _links(page, live_server) if link not in seen)
    context.close()
    assert len(seen) >= (1 if who == "anonymous" else 3), seen
    assert problems == []
