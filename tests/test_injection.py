"""An injection corpus (markup, template syntax, SQL, spreadsheet formulas, Unicode tricks,
NUL, overlong text, lone surrogates) pushed through every free-text field, then rendered in
every view and export: nothing is run, nothing answers 5xx, spreadsheet cells never start
a formula, and NUL is refused with the translated error page and nothing written."""

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import quote_plus

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.accounts.models import Account, Person
from lms.ambassadors.models import GuidanceVisit
from lms.events.models import CommunityEvent, EventKind
from lms.events.operations import local_today
from lms.extensions import db
from lms.places.models import Commune, Household, Village
from lms.teams.models import AmbassadorTeam

from .ambassador_helpers import consent_all, visit
from .conftest import TEST_PASSWORD, csrf_from
from .test_access_matrix import snapshot

SCRIPT = "<script>alert(1)</script>"
CONTROL = "Bản\x01\x1bMé\x7f"
CORPUS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "{{ 7*191 }}",
    "{% for x in range(3) %}{{ x }}{{ x }}{% endfor %}{{ config }}",
    "Lò'; DROP TABLE person; --",
    '" OR 1=1 --',
    '=HYPERLINK("http://x.example","Bấm")',
    "+84=1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "Lò\u202eVăn Pọm",
    "Lò\u200bThị\u200d\ufeffƠn",
    CONTROL,
]
NUL = "Bản\x00Mé"
OVERLONG = "Ư" * 10_000
SURROGATE = "Bản\ud800Mé"
HOSTILE = [*CORPUS, NUL, OVERLONG, SURROGATE]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INVISIBLE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def form_body(fields: dict) -> bytes:
    """A form body as a browser would send it; lone surrogates go as their raw bytes."""
    return "&".join(f"{quote_plus(key)}={quote_plus(value.encode('utf-8', 'surrogatepass'))}"
                    for key, value in fields.items()).encode()


def send_form(client, url: str, fields: dict, token: str):
    return client.post(url, data=form_body({**fields, "csrf_token": token}),
                       content_type="application/x-www-form-urlencoded")


def assert_inert(page: str, where: str) -> None:
    """Markup from the corpus appears escaped, never as markup; no template ran."""
    for raw in ("<script>alert", "<img src=x", "onmouseover='alert", "onerror=alert(1)>"):
        assert raw not in page, f"{where}: unescaped {raw!r}"
    for result in ("1337", "001122", "Config {", "SECRET_KEY"):
        assert result not in page, f"{where}: a template ran ({result})"


class _Markup(HTMLParser):
    """The elements and attributes a page really has, whatever its text says."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (tag == "img" and name == "src" and value == "x"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")


def assert_parsed_inert(page: str, where: str) -> None:
    """For pages that render Markdown: a quote in a text node is harmless, so read the page
    as a browser does; no element or attribute came from the corpus, no template ran."""
    parser = _Markup()
    parser.feed(page)
    assert not parser.found, f"{where}: markup from the text {parser.found}"
    for result in ("1337", "001122", "Config {", "SECRET_KEY"):
        assert result not in page, f"{where}: a template ran ({result})"


def assert_cells_safe(cells, where: str) -> None:
    for cell in cells:
        if isinstance(cell, str):
            assert not cell.startswith(FORMULA_START), f"{where}: formula cell {cell!r}"


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {cell.coordinate}"
                cells.append(cell.value)
    return cells


@pytest.fixture
def fields(world, signed_in):
    """Every free-text field on a form or the API: (who, url, fields with HOSTILE where the
    text goes, the table the field lands in)."""
    consent_all(world["mine"], world["ambassador"])
    db.session.commit()
    mine, village = world["mine"], world["village"]
    member = mine.members[0]
    event = community_event(world, "Lớp dùng điện thoại", "Nhà văn hoá")
    team = AmbassadorTeam(commune_id=world["home"].id, name="Đội Bản Mé",
                          created_by_id=world["official"].id)
    db.session.add(team)
    db.session.commit()
    today = local_today().isoformat()
    return [
        ("admin", f"/admin/villages/{village.id}/rename", {"name": HOSTILE}),
        ("admin", f"/admin/communes/{world['home'].id}/rename", {"name": HOSTILE}),
        ("admin", "/admin/communes", {"name": HOSTILE, "kind": "xa", "code": ""}),
        ("admin", f"/admin/communes/{world['home'].id}/villages",
         {"name": HOSTILE, "kind": "ban", "code": HOSTILE}),
        ("admin", "/admin/staff", {"name": HOSTILE, "phone": "0912000999",
                                   "role": "ambassador", "commune": str(world["home"].id)}),
        ("ambassador", f"/ambassador/households/{mine.id}/edit",
         {"village": str(village.id), "name": HOSTILE, "address_note": HOSTILE,
          "phone": ""}),
        ("ambassador", f"/ambassador/people/{member.id}/edit",
         {"name": HOSTILE, "gender": "female", "birth_year": "1980", "phone": ""}),
        ("official", "/account/password",
         {"current": TEST_PASSWORD, "new": HOSTILE, "repeat": HOSTILE}),
        ("anonymous", "/login", {"phone": HOSTILE, "secret": HOSTILE}),
        ("ambassador", "/events/new", {"title": HOSTILE, "kind": "class", "held_on": today,
                                       "place": HOSTILE, "village": ""}),
        ("ambassador", f"/events/{event.id}/edit",
         {"title": HOSTILE, "kind": "class", "held_on": today, "place": HOSTILE,
          "village": str(village.id)}),
        ("ambassador", f"/events/{event.id}/walk-in",
         {"walkin-name": HOSTILE, "walkin-gender": "female", "walkin-birth_year": "1980",
          "walkin-village": str(village.id), "walkin-household": ""}),
        ("official", f"/teams/{team.id}/edit", {"name": HOSTILE}),
        ("official", "/teams/new", {"name": HOSTILE}),
        ("admin", "/teams/new", {"name": HOSTILE, "commune": str(world["away"].id)}),
    ]


def community_event(world, title: str, place: str) -> CommunityEvent:
    """An event of the home commune held today, run by the ambassador."""
    event = CommunityEvent(commune_id=world["home"].id, title=title, kind=EventKind.CLASS,
                           held_on=local_today(), place=place, courses=[],
                           created_by_id=world["ambassador"].id)
    db.session.add(event)
    db.session.commit()
    return event


def test_every_form_field_takes_the_corpus_without_error(app, world, signed_in, fields):
    clients = {"anonymous": app.test_client()}
    for who, url, template in fields:
        client = clients.get(who) or clients.setdefault(who, signed_in(who))
        token = csrf_from(client, "/login")
        for text in HOSTILE:
            values = {key: text if value is HOSTILE else value
                      for key, value in template.items()}
            before = snapshot() if text == NUL else None
            response = send_form(client, url, values, token)
            where = f"{who} POST {url} {text[:20]!r}"
            assert response.status_code < 500, where
            if before is not None:
                assert response.status_code == 400, where
                assert snapshot() == before, f"{where}: NUL was stored"
                page = response.get_data(as_text=True)
                assert "Có chỗ chưa đúng" in page, f"{where}: no translated error"
            if response.status_code == 200 and response.mimetype == "text/html":
                assert_inert(response.get_data(as_text=True), where)
            db.session.rollback()
    columns = [*(model.name for model in (Commune, Village, Household, Person, Account,
                                           AmbassadorTeam)),
               CommunityEvent.title, CommunityEvent.place]
    stored = [name for column in columns for name in db.session.scalars(select(column))]
    assert db.session.scalar(select(func.count(CommunityEvent.id))) > 1, "no event made"
    assert db.session.scalar(select(func.count(AmbassadorTeam.id))) > 1, "no team made"
    assert not [name for name in stored if INVISIBLE.search(name)], "control marks stored"


def test_search_boxes_take_the_corpus(app, signed_in):
    client = signed_in("admin")
    for path in ("/admin/people", "/admin/places", "/admin/audit"):
        for text in HOSTILE:
            key = "account" if path == "/admin/audit" else "q"
            query = quote_plus(text.encode("utf-8", "surrogatepass"))
            response = client.get(f"{path}?{key}={query}")
            assert response.status_code in (200, 400), (path, text[:20])
            assert_inert(response.get_data(as_text=True), path)


def test_the_visits_and_progress_api_take_the_corpus(app, signed_in, world):
    client = signed_in("ambassador")
    consent_all(world["mine"], world["ambassador"])
    db.session.commit()
    token = csrf_from(client, "/ambassador/")
    for text in HOSTILE:
        before = snapshot()
        body = json.dumps({"visits": [visit(world["mine"], note=text)]})
        response = client.post("/api/v1/visits", data=body, content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert response.status_code < 500, text[:20]
        if text in (NUL, SURROGATE):
            assert response.status_code == 400 and snapshot() == before, text[:20]
        body = json.dumps({"events": [{"id": text, "person": text, "type": text,
                                       "course": text, "lesson": text, "step": 1,
                                       "occurred_at": text}]})
        response = client.post("/api/v1/progress/events", data=body,
                               content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert response.status_code < 500, text[:20]


def test_csv_import_takes_the_corpus(app, signed_in, world):
    client = signed_in("admin")
    token = csrf_from(client, "/admin/places/import")
    for text in [*CORPUS, OVERLONG]:
        cell = '"' + text.replace('"', '""') + '"'
        data = f"code,name,kind,commune\r\nX1,{cell},ban,{world['home'].name}\r\n"
        response = client.post("/admin/places/import", data={
            "csrf_token": token, "file": (io.BytesIO(data.encode()), "villages.csv")},
            content_type="multipart/form-data")
        assert response.status_code in (200, 400), text[:20]
        assert_inert(response.get_data(as_text=True), "import preview")
    villages = db.session.scalar(select(func.count(Village.id)))
    for raw in (NUL.encode(), SURROGATE.encode("utf-8", "surrogatepass")):
        data = b"code,name,kind,commune\r\nX1," + raw + b",ban," + world["home"].name.encode()
        response = client.post("/admin/places/import", data={
            "csrf_token": token, "file": (io.BytesIO(data), "villages.csv")},
            content_type="multipart/form-data")
        assert response.status_code == 400
        assert db.session.scalar(select(func.count(Village.id))) == villages


def hostile_world(world) -> None:
    """The corpus in every stored free-text column the pages and exports show."""
    texts = iter(CORPUS * 4)
    # The names the figures' downloads show: formulas and control characters.
    places = iter([CONTROL, *(text for text in CORPUS if text.startswith(FORMULA_START))])
    for commune in db.session.scalars(select(Commune).order_by(Commune.id)):
        commune.name = next(places)
    for village in db.session.scalars(select(Village).order_by(Village.id.desc())):
        village.name = next(places)
    for household in (world["mine"], world["theirs"], world["far"]):
        household.name = next(texts)
        household.address_note = next(texts)
    for person in db.session.scalars(select(Person)):
        person.name = next(texts)
    for account in db.session.scalars(select(Account)):
        account.name = next(texts)
    db.session.commit()


def test_every_view_and_export_shows_the_corpus_inert(app, world, signed_in):
    from lms.ambassadors.visits import record_visits

    consent_all(world["mine"], world["ambassador"])
    db.session.commit()
    for note in CORPUS[:6]:
        assert record_visits(world["ambassador"], [visit(world["mine"], note=note)]).accepted
    hostile_world(world)
    mine, home = world["mine"], world["home"]
    person = mine.members[0]
    visit_id = db.session.scalar(select(GuidanceVisit.id))
    ambassador_id = world["ambassador"].id
    pages = {
        "admin": ["/admin/", "/admin/people", f"/admin/people/{person.id}", "/admin/places",
                  f"/admin/communes/{home.id}", f"/admin/villages/{world['village'].id}",
                  "/admin/staff", f"/admin/staff/{ambassador_id}", "/admin/audit",
                  f"/people/{person.id}", f"/official/communes/{home.id}",
                  f"/official/communes/{home.id}/report", f"/ambassador/households/{mine.id}",
                  f"/ambassador/people/{person.id}"],
        "official": ["/official/", f"/official/villages/{world['village'].id}",
                     f"/official/communes/{home.id}/report", "/admin/staff",
                     f"/admin/staff/{ambassador_id}", f"/people/{person.id}"],
        "ambassador": ["/ambassador/", f"/ambassador/households/{mine.id}",
                       f"/ambassador/households/{mine.id}/edit",
                       f"/ambassador/households/{mine.id}/card",
                       f"/ambassador/people/{person.id}", f"/ambassador/people/{person.id}/edit",
                       f"/ambassador/visits/{visit_id}/edit",
                       f"/ambassador/households/{mine.id}/visits/new", "/learn"],
        "mine": ["/who", "/learn", f"/people/{person.id}"],
    }
    json_urls = {"admin": ["/api/v1/households", f"/api/v1/people/{person.id}",
                           f"/api/v1/stats/communes/{home.id}", "/api/v1/stats/province"],
                 "ambassador": ["/api/v1/households", "/api/v1/me"]}
    downloads = [f"/official/communes/{home.id}?format={kind}" for kind in ("csv", "xlsx")]
    downloads += [f"/api/v1/stats/communes/{home.id}?format={kind}" for kind in ("csv", "xlsx")]
    downloads += [f"/api/v1/stats/province?format={kind}" for kind in ("csv", "xlsx")]
    for who in ("admin", "official", "ambassador", "mine"):
        client = signed_in(who)
        for url in pages.get(who, []):
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, (who, url)
            assert_inert(response.get_data(as_text=True), f"{who} {url}")
        for url in json_urls.get(who, []):
            response = client.get(url)
            assert response.status_code == 200 and response.is_json, (who, url)
        if who == "admin":
            for url in downloads:
                response = client.get(url)
                assert response.status_code == 200, url
                cells = (xlsx_cells(response.data) if "xlsx" in url
                         else csv_cells(response.data))
                assert_cells_safe(cells, url)
                assert any(isinstance(c, str) and c[:1] == "'" and c[1:].startswith(
                    FORMULA_START) for c in cells), f"{url}: no neutralised formula"
            token = csrf_from(client, f"/admin/people/{person.id}")
            for kind in ("json", "csv"):
                response = client.post(f"/admin/people/{person.id}/export",
                                       data={"csrf_token": token, "format": kind})
                assert response.status_code == 200, kind
                if kind == "csv":
                    assert_cells_safe(csv_cells(response.data), "people's data CSV")
                else:
                    json.loads(response.data)


def test_events_and_teams_show_the_corpus_inert(app, world, signed_in):
    from lms.events.models import EventAttendance
    from lms.teams.models import team_member

    hostile_world(world)
    events = [community_event(world, text, CORPUS[-1 - index])
              for index, text in enumerate(CORPUS)]
    event = events[0]
    for index, person in enumerate(world["mine"].members):
        db.session.add(EventAttendance(attendance_uuid=f"00000000-0000-4000-8000-{index:012}",
                                       event_id=event.id, person_id=person.id,
                                       marked_by_id=world["ambassador"].id))
    teams = [AmbassadorTeam(commune_id=world["home"].id, name=f"{text}{index}",
                            created_by_id=world["official"].id)
             for index, text in enumerate(CORPUS)]
    db.session.add_all(teams)
    db.session.flush()
    db.session.execute(team_member.insert(), [
        {"team_id": team.id, "account_id": world["ambassador"].id} for team in teams])
    db.session.commit()
    stored = [*db.session.scalars(select(CommunityEvent.title)),
              *db.session.scalars(select(CommunityEvent.place)),
              *db.session.scalars(select(AmbassadorTeam.name))]
    assert not [text for text in stored if INVISIBLE.search(text)], "control marks stored"
    team = teams[0]
    shared = [f"/events/{event.id}", f"/events/{event.id}/sheet",
              f"/events/{event.id}/attendance", "/teams/", f"/teams/{team.id}"]
    pages = {
        "ambassador": ["/ambassador/", "/events/", *shared, f"/events/{event.id}/edit",
                       *(f"/events/{event.id}/attendance?q={quote_plus(text)}"
                         for text in CORPUS)],
        "official": ["/official/", "/events/", *shared, f"/events/{event.id}/edit",
                     f"/teams/{team.id}/edit"],
        "admin": ["/admin/", "/teams/",
                  f"/teams/{team.id}", f"/teams/{team.id}/edit"],
    }
    json_urls = {"ambassador": ["/api/v1/events", f"/events/{event.id}/people"],
                 "official": ["/api/v1/events"], "admin": ["/api/v1/events"]}
    for who in ("ambassador", "official", "admin"):
        client = signed_in(who)
        for url in pages[who]:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, (who, url)
            assert_inert(response.get_data(as_text=True), f"{who} {url}")
            if url in shared:
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(
                    as_text=True), f"{who} {url}: the title or name is not shown"
        for url in json_urls[who]:
            response = client.get(url)
            assert response.status_code == 200 and response.is_json, (who, url)
        titles = {e["title"] for e in client.get("/api/v1/events").get_json()}
        assert {e.title for e in events} <= titles, f"{who}: titles changed on the way out"
    # The messages naming what was just made are escaped too.
    client = signed_in("ambassador")
    token = csrf_from(client, f"/events/{event.id}/attendance")
    response = send_form(client, f"/events/{event.id}/walk-in", {
        "walkin-name": SCRIPT, "walkin-gender": "male", "walkin-birth_year": "",
        "walkin-village": str(world["village"].id), "walkin-household": ""}, token)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_inert(page, "walk-in message")
    client = signed_in("official")
    token = csrf_from(client, "/teams/new")
    response = send_form(client, "/teams/new", {"name": f"{SCRIPT} 2"}, token)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 2" in page
    assert_inert(page, "new team message")


@pytest.fixture
def workbench(app, world, tmp_path):
    """Copies of the sample course and of the catalogs (export writes into them); the
    ambassador translates Tai Dam in the browser."""
    import shutil
    from pathlib import Path

    from lms.translating.models import LanguageGrant

    courses = tmp_path / "courses"
    shutil.copytree(Path(__file__).parent / "course_fixtures", courses)
    translations = tmp_path / "translations"
    shutil.copytree(app.config["LMS_TRANSLATIONS_DIR"], translations)
    app.config["LMS_COURSES_DIR"] = str(courses)
    app.config["LMS_TRANSLATIONS_DIR"] = str(translations)
    app.extensions.pop("lms_catalog", None)
    db.session.add(LanguageGrant(account_id=world["ambassador"].id, language="blt",
                                 granted_by_id=world["admin"].id))
    db.session.commit()
    return {"courses": courses, "translations": translations}


WORKBENCH = "/translate/blt/sample/first"
PARTS = {  # each lesson part of the sample lesson, with every field it has
    "title": ["title"],
    "1": ["title", "body", "alt"],
    "2": ["title", "prompt", "feedback", *(f"option-{n}-{field}" for n in (1, 2)
                                            for field in ("text", "feedback"))],
}


def learner_page(learner, part: str) -> str:
    step = 1 if part == "title" else int(part)
    response = learner.get(f"/learn/sample/first/{step}?lang=blt")
    assert response.status_code == 200, part
    return response.get_data(as_text=True)


def test_the_translation_workbench_takes_the_corpus(app, world, signed_in, workbench, runner):
    from lms.translating.interface import interface_strings
    from lms.translating.models import SavedTranslation

    client, learner = signed_in("ambassador"), signed_in("mine")
    number = next(s.number for s in interface_strings() if s.msgid == "Next")
    urls = {**{f"{WORKBENCH}/{part}": fields for part, fields in PARTS.items()},
            f"/translate/blt/interface/{number}": ["text"]}
    token = csrf_from(client, f"{WORKBENCH}/title")
    for url, names in urls.items():
        for text in HOSTILE:
            before = snapshot() if text == NUL else None
            response = send_form(client, url, {**dict.fromkeys(names, text),
                                               "action": "draft"}, token)
            where = f"POST {url} {text[:20]!r}"
            assert response.status_code < 500, where
            if before is not None:
                assert response.status_code == 400, where
                assert snapshot() == before, f"{where}: NUL was stored"
                assert "Có chỗ chưa đúng" in response.get_data(as_text=True), where
            if response.mimetype == "text/html":
                assert_inert(response.get_data(as_text=True), where)
            db.session.rollback()
            if response.status_code == 302:
                part = url.rsplit("/", 1)[1] if url.startswith(WORKBENCH) else "1"
                assert_parsed_inert(learner_page(learner, part), f"learner page after {where}")
    saved = db.session.scalars(select(SavedTranslation.text)).all()
    assert len(saved) > len(urls), "the corpus was refused outright"
    lines = [line for text in saved for value in flat(text)
             for line in value.splitlines()]
    assert not [line for line in lines if INVISIBLE.search(line)], "control marks stored"

    # One text per field, exported to the files and read back exactly.
    texts = iter(text for text in CORPUS if not set(text) & set("<>%"))
    last = {}
    for url, names in urls.items():
        fields = {name: next(texts, "Lò Văn Pọm") for name in names}
        response = send_form(client, url, {**fields, "action": "draft"}, token)
        assert response.status_code == 302, (url, fields)
        last[url] = fields
    result = runner.invoke(args=["translations", "export", "--language", "blt"],
                           env={"LMS_LANGUAGE": "en"})
    assert result.exit_code == 0, result.output
    written = [workbench["courses"] / "sample" / "blt" / "01-first.md",
               workbench["translations"] / "blt" / "LC_MESSAGES" / "messages.po"]
    for path in written:
        content = path.read_text("utf-8")
        assert not [line for line in content.splitlines() if INVISIBLE.search(line)], path
    from lms.content.catalog import read_catalog

    found = read_catalog(workbench["courses"])
    assert found.problems == ()
    loaded = found.course("sample").lesson("first").texts["blt"]
    title = " ".join(last[f"{WORKBENCH}/title"]["title"].split())
    assert loaded.title == nfc_line(title)
    step = loaded.steps[1]
    wanted = last[f"{WORKBENCH}/2"]
    assert step.title == nfc_line(wanted["title"])
    assert step.question.prompt == nfc_line(wanted["prompt"])
    assert [o.text for o in step.question.options] == [
        nfc_line(wanted[f"option-{n}-text"]) for n in (1, 2)]
    result = runner.invoke(args=["translations", "import", "--language", "blt"],
                           env={"LMS_LANGUAGE": "en"})
    assert result.exit_code == 0 and "0 conflicts" in result.output, result.output


def flat(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in flat(item)]
    if isinstance(value, list):
        return [text for item in value for text in flat(item)]
    return [value] if isinstance(value, str) else []


def nfc_line(text: str) -> str:
    """A one-line field as the workbench keeps it."""
    return " ".join(INVISIBLE.sub("", text).split())


def test_a_narration_review_note_takes_the_corpus(app, world, tmp_path):
    """A reviewer sends a recording back with a note in their own words; the narrator reads
    it on the recorder page."""
    from lms.narration.models import Recording
    from lms.narration.operations import step_items

    from .learning_helpers import lesson_of
    from .narration_helpers import grant, sign_in_staff

    app.config["LMS_NARRATION_DIR"] = str(tmp_path / "recordings")
    grant(world["ambassador"], "blt")
    grant(world["official"], "blt", may_review=True)
    narrator = sign_in_staff(app, world["ambassador"])
    reviewer = sign_in_staff(app, world["official"])
    course, lesson = lesson_of()
    text_sha = step_items(lesson.texts["blt"], 1)[0].text_sha  # shown only while current
    recorder = f"/narration/blt/{course.slug}/{lesson.slug}/1"
    token = csrf_from(reviewer, "/narration/review")
    for index, text in enumerate(HOSTILE):
        recording = Recording(course=course.slug, lesson=lesson.slug, step=1, option=None,
                              language="blt", text_sha=text_sha, sha256=f"{index:064}",
                              container="webm", bytes=1000, milliseconds=1200,
                              narrator_id=world["ambassador"].id)
        db.session.add(recording)
        db.session.commit()
        before = snapshot() if text == NUL else None
        prefix = f"r{recording.id}"
        response = send_form(reviewer, f"/narration/review/{recording.id}", {
            f"{prefix}-reject": "1", f"{prefix}-reason": "noise", f"{prefix}-note": text},
            token)
        where = f"reject with {text[:20]!r}"
        assert response.status_code < 500, where
        if before is not None:
            assert response.status_code == 400, where
            assert snapshot() == before, f"{where}: NUL was stored"
            assert "Có chỗ chưa đúng" in response.get_data(as_text=True), where
        elif text is OVERLONG:
            assert response.status_code == 400, where
        else:
            assert response.status_code == 302, where
        if response.mimetype == "text/html":
            assert_inert(response.get_data(as_text=True), where)
        db.session.rollback()
        page = narrator.get(recorder)
        assert page.status_code == 200, where
        assert_inert(page.get_data(as_text=True), f"recorder page after {where}")
        if text == SCRIPT:  # the newest recording's note is shown
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.get_data(as_text=True)
    notes = list(db.session.scalars(select(Recording.note).where(Recording.note.is_not(None))))
    assert len(notes) == len(CORPUS) + 1  # the surrogate arrives replaced, and is kept
    assert not [note for note in notes if INVISIBLE.search(note)], "control marks stored"
