"""Page weight of the learner pages, as a phone on slow 3G sees them (DESIGN.md §5).

Run from anywhere:

    .venv/bin/python bench/page_weight.py                    # print the table
    .venv/bin/python bench/page_weight.py --write-results    # also bench/results/page_weight.txt

It builds a throw-away instance (SQLite, courses, demo commune) in a temporary folder,
serves it with gunicorn as in production, signs in as the demo household in Debian's
chromium, then runs the shared `page_weight.py` tool on the learner home, a lesson
card and a quiz step, and the same card in Tai Dam (with its Tai Viet font) and
H'Mong (`?lang=` holds for the page it is on). Budgets: whole page cold ≤ 30 KB on the
wire, the HTML document ≤ 14 KB, first contentful paint ≤ 2.5 s at 360×740 on slow 3G.
KB = 1024 bytes.
The exit code is 0 whatever the figures, 1 when the app could not be set up or started.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from playwright.sync_api import Browser, Request, sync_playwright

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TOOL = Path(__file__).resolve().parents[2] / "shared" / "tools" / "page_weight.py"
RESULTS_FILE = REPO / "bench" / "results" / "page_weight.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HOUSEHOLD_PHONE, HOUSEHOLD_PIN = "0900000101", "246810"
COURSE, LESSON = "public-services", "vneid-two-levels"
COMMUNITY = ("blt", "hmn")
PAGE_BUDGET_KB, DOCUMENT_BUDGET_KB, FCP_BUDGET_MS = 30, 14, 2500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", type=Path, default=DEFAULT_TOOL, help="page_weight.py to run")
    parser.add_argument("--runs", type=int, default=3, help="loads per page (median)")
    parser.add_argument("--profile", default="slow3g", help="network profile of the tool")
    parser.add_argument("--write-results", action="store_true",
                        help=f"also write the output to {RESULTS_FILE.relative_to(REPO)}")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_temporary_instance(prefix: str) -> Path:
    """Point the app (and the flask commands run from here) at a new folder and database.

    Development settings only so that plain-HTTP clients keep their cookies (production
    marks them Secure); the code served is the same."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update({
        "LMS_INSTANCE_PATH": str(workdir / "instance"),
        "LMS_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "LMS_ENV": "development",
        "LMS_SECRET_KEY": secrets.token_hex(32),
    })
    return workdir


def flask(*command: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "lms", *command], cwd=REPO,
                   check=True, capture_output=True, text=True)


def first_quiz_step() -> int:
    """The number of the first quiz step of the measured lesson, from the course files."""
    from lms import create_app
    from lms.content.catalog import catalog

    with create_app().app_context():
        lesson = catalog().courses[COURSE].lesson(LESSON)
        return next(step.number for step in lesson.texts["vi"].steps if step.kind == "quiz")


def gunicorn_options() -> list[str]:
    """Gunicorn 27 opens a control socket in ~/.gunicorn unless told not to."""
    major = int(metadata.version("gunicorn").split(".")[0])
    return ["--no-control-socket"] if major >= 27 else []


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 120) -> bool:
    # Generous: workers preload the catalog, which takes long on a busy machine.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def sign_in(browser: Browser, base: str, state_file: Path) -> None:
    """Sign in as the demo household, pick its first member and save the cookies."""
    page = browser.new_page()
    page.goto(base + "/login")
    page.fill("input[name=phone]", HOUSEHOLD_PHONE)
    page.fill("input[name=secret]", HOUSEHOLD_PIN)
    page.click("button.btn")
    page.wait_for_url("**/who*")
    page.locator("button.person-btn").first.click()
    page.wait_for_url("**/learn")
    page.context.storage_state(path=str(state_file))
    page.context.close()


def inspect_page(browser: Browser, base: str, path: str, state_file: Path) -> tuple[str, list]:
    """Load a page once, cold and unthrottled: its document's Content-Encoding and, for every
    response, (bytes on the wire, of which headers, path)."""
    context = browser.new_context(storage_state=str(state_file))
    page = context.new_page()
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    response = page.goto(base + path, wait_until="load")
    if page.url != base + path:
        raise RuntimeError(f"{path} redirected to {page.url}: is the sign-in still valid?")
    page.wait_for_timeout(300)  # late requests, as the tool waits for them
    responses = []
    for request in finished:
        sizes = request.sizes()
        headers = sizes["responseHeadersSize"]
        responses.append((headers + sizes["responseBodySize"], headers,
                          request.url.removeprefix(base)))
    encoding = (response.header_value("content-encoding") if response else None) or ""
    context.close()
    return encoding, responses


def measure(tool: Path, urls: list[str], state_file: Path, args: argparse.Namespace) -> list[dict]:
    done = subprocess.run(
        [sys.executable, str(tool), *urls, "--storage-state", str(state_file), "--profile",
         args.profile, "--runs", str(args.runs), "--chromium", CHROMIUM, "--json"],
        check=True, capture_output=True, text=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def verdict(value: float | None, budget: float) -> str:
    return "n/a " if value is None else ("PASS" if value <= budget else "FAIL")


def report(base: str, results: list[dict], encodings: dict[str, str],
           responses: list[tuple[int, int, str]], args: argparse.Namespace) -> list[str]:
    lines = [f"Page weight, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — profile {args.profile}, "
             f"median of {args.runs} cold loads, 360×740 phone viewport (DPR 2), gunicorn -w 1",
             f"budgets (DESIGN.md §5): page ≤ {PAGE_BUDGET_KB} KB, document ≤ "
             f"{DOCUMENT_BUDGET_KB} KB, FCP ≤ {FCP_BUDGET_MS} ms; KB = 1024 bytes", "",
             f"{'page':<52} {'HTTP':>4}  {'compressed':<10} {'page KB':>13} "
             f"{'document KB':>13} {'requests':>8} {'FCP ms':>13}"]
    for result in results:
        path = result["url"].removeprefix(base)
        cold = result["cold"]
        page_kb, document_kb = cold["bytes"] / 1024, cold["document_bytes"] / 1024
        fcp = cold["fcp"]
        encoding = encodings.get(path, "")
        lines.append(
            f"{path:<52} {result['status']:>4}  {'yes ' + encoding if encoding else 'NO':<10} "
            f"{page_kb:>7.1f} {verdict(page_kb, PAGE_BUDGET_KB)} "
            f"{document_kb:>7.1f} {verdict(document_kb, DOCUMENT_BUDGET_KB)} "
            f"{cold['requests']:>8.0f} "
            f"{'—' if fcp is None else f'{fcp:.0f}':>7} {verdict(fcp, FCP_BUDGET_MS)}")
    lines.append("")
    if all(encodings.values()):
        lines.append("compressed: yes (Content-Encoding of every document)")
    else:
        lines.append("compressed: NO — the documents came without Content-Encoding: "
                     "every byte above is uncompressed")
    lines += ["", "largest responses on the wire (one cold load each, unthrottled):"]
    largest = sorted({url: (size, headers) for size, headers, url in responses}.items(),
                     key=lambda item: item[1], reverse=True)
    lines += [f"  {size / 1024:5.1f} KB, of which headers {headers / 1024:.1f} KB  {url}"
              for url, (size, headers) in largest[:6]]
    return lines


def main() -> int:
    args = parse_args()
    workdir = use_temporary_instance("lms-page-weight-")
    server: subprocess.Popen | None = None
    try:
        try:
            for command in (["db", "upgrade"], ["courses", "load"], ["demo", "load"]):
                flask(*command)
        except subprocess.CalledProcessError as error:
            print(f"set-up failed: flask {' '.join(error.cmd[5:])}\n{error.stderr}",
                  file=sys.stderr)
            return 1
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with (workdir / "gunicorn.log").open("w") as log:  # the server keeps its own copy
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                 *gunicorn_options(), "wsgi:app"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        if not wait_until_up(base, server):
            print("the app did not start:\n" + (workdir / "gunicorn.log").read_text(),
                  file=sys.stderr)
            return 1
        paths = ["/learn", f"/learn/{COURSE}/{LESSON}/1",
                 f"/learn/{COURSE}/{LESSON}/{first_quiz_step()}",
                 # The same card in the community languages: Tai Dam with its Tai Viet font.
                 *(f"/learn/{COURSE}/{LESSON}/1?lang={code}" for code in COMMUNITY)]
        state_file = workdir / "state.json"
        encodings: dict[str, str] = {}
        responses: list[tuple[int, int, str]] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            sign_in(browser, base, state_file)
            for path in paths:
                encodings[path], of_page = inspect_page(browser, base, path, state_file)
                responses += of_page
            browser.close()
        results = measure(args.tool, [base + path for path in paths], state_file, args)
        lines = report(base, results, encodings, responses, args)
        print("\n".join(lines))
        if args.write_results:
            RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
            RESULTS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
