"""A learning screen for people who do not read: every learner button has an icon as well
as a word, right and wrong show an icon and a colour, and Listen reads the whole step
(first on the step when a recording exists)."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from lms.content.catalog import read_catalog

from .conftest import csrf_from
from .learning_helpers import form_for, lesson_of, right_answer, walk_lesson, wrong_answer

ROOT = Path(__file__).resolve().parent.parent


class Controls(HTMLParser):
    """Every button and button-like link of a page: (its classes, has an icon, its words)."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []
        self.open: list[dict] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "details" and "lang" in classes:
            self.skip += 1  # the language menu names each language in itself
        is_control = tag == "button" or (tag == "a" and ("btn" in classes or
                                                          "back-link" in classes))
        if is_control and not self.skip:
            self.open.append({"tag": tag, "classes": classes, "icon": False, "words": "",
                              "hidden": "hidden" in attrs})
        elif self.open and (tag == "svg" or "avatar" in classes):
            self.open[-1]["icon"] = True  # a person's button shows their avatar

    def handle_endtag(self, tag):
        if tag == "details" and self.skip:
            self.skip -= 1
        if self.open and tag == self.open[-1]["tag"]:
            self.found.append(self.open.pop())

    def handle_data(self, data):
        if self.open:
            self.open[-1]["words"] += data


def controls(page: str) -> list[dict]:
    parser = Controls()
    parser.feed(page)
    return parser.found


def assert_icon_and_word(page: str, where: str) -> int:
    found = controls(page)
    for control in found:
        words = control["words"].strip()
        assert control["icon"] and words, (where, control)
    return len(found)


def test_every_learner_button_has_an_icon_and_a_word(signed_in):
    client = signed_in("mine")
    course, lesson = lesson_of("online-safety")
    base = f"/learn/{course.slug}/{lesson.slug}"
    steps = lesson.texts["vi"].steps
    pages = {"who": client.get("/who"), "home": client.get("/learn"),
             "course": client.get(f"/learn/{course.slug}"),
             "card": client.get(f"{base}/2"), "back and next": client.get(f"{base}/3")}
    practice = next(s for s in steps if s.kind == "practice")
    token = csrf_from(client, f"{base}/{practice.number}")
    pages["question"] = client.get(f"{base}/{practice.number}")
    pages["try again"] = client.post(f"{base}/{practice.number}", follow_redirects=True, data={
        "csrf_token": token, "action": "answer",
        **form_for(practice.question, wrong_answer(practice.question))})
    pages["finish"] = client.get(f"{base}/{len(steps)}")
    counted = 0
    for where, response in pages.items():
        assert response.status_code == 200, where
        counted += assert_icon_and_word(response.get_data(as_text=True), where)
    assert counted >= 15
    # The buttons the issue names are there, each with its own icon.
    text = {where: response.get_data(as_text=True) for where, response in pages.items()}
    assert 'href="/who">' in text["card"] and "Đổi người học" in text["card"]
    assert "Thử lại" in text["try again"] and "M20 12a8 8 0 11-2.4-5.7" in text["try again"]
    assert re.search(r'<button class="btn "[^>]*value="next">Xong, xem kết quả <svg',
                     text["finish"])
    assert re.search(r"M5 21V4", text["finish"])  # the finish flag, not the "right" tick
    result = walk_lesson(signed_in("mine", member=1), course, lesson, right=False)
    assert_icon_and_word(result.get_data(as_text=True), "result")


def test_right_and_wrong_show_an_icon_and_a_colour_as_well_as_words(signed_in):
    client = signed_in("mine")
    course, lesson = lesson_of("online-safety")
    base = f"/learn/{course.slug}/{lesson.slug}"
    quiz = [s for s in lesson.texts["vi"].steps if s.kind == "quiz"]
    token = csrf_from(client, f"{base}/{quiz[0].number}")
    for step, answer, verdict, icon in [
            (quiz[0], right_answer(quiz[0].question), "right", "M4 12l5 5L20 6"),
            (quiz[1], wrong_answer(quiz[1].question), "wrong", "M6 6l12 12M18 6L6 18")]:
        page = client.post(f"{base}/{step.number}", follow_redirects=True, data={
            "csrf_token": token, "action": "answer", **form_for(step.question, answer)}
        ).get_data(as_text=True)
        assert f'class="feedback {verdict}"' in page
        heading = re.search(r'<h2 class="verdict">(.*?)</h2>', page, re.S).group(1)
        assert '<span class="badge"><svg' in heading and icon in heading
        assert ("Chính xác!" if verdict == "right" else "Chưa chính xác.") in heading
    css = (ROOT / "static/css/app.css").read_text("utf-8")
    assert ".right .verdict .badge{background:var(--ok)}" in css
    assert ".wrong .verdict .badge{background:var(--bad)}" in css


def test_listen_reads_the_whole_question_with_its_answers(app, signed_in):
    client = signed_in("mine")
    course, lesson = lesson_of("online-safety")
    step = next(s for s in lesson.texts["vi"].steps if s.kind == "practice")
    page = client.get(f"/learn/{course.slug}/{lesson.slug}/{step.number}").get_data(as_text=True)
    spoken = re.search(r'<button type="button" class="listen"[^>]*data-speak="([^"]*)"', page)
    assert spoken is not None
    words = spoken.group(1).replace("&#34;", '"').replace("&quot;", '"')
    assert words.startswith(step.question.prompt.replace("&", "&amp;")[:20])
    for option in step.question.options:
        assert option.text in words


def test_with_a_recording_listen_is_the_first_thing_on_the_step(app, signed_in, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", courses)
    audio = courses / "online-safety" / "audio" / "vi"
    audio.mkdir(parents=True)
    (audio / "fake-police-2.ogg").write_bytes(b"OggS" + bytes(60))
    with app.test_request_context("/"):
        found = read_catalog(courses)
    assert not found.problems
    app.config["LMS_COURSES_DIR"] = str(courses)
    app.extensions["lms_catalog"] = found
    client = signed_in("mine")
    page = client.get("/learn/online-safety/fake-police/2").get_data(as_text=True)
    article = re.search(r"<article class=\"step\".*?</article>", page, re.S).group(0)
    first = re.search(r">\s*<(\w+)", article).group(1)
    assert first == "audio" and "fake-police-2.ogg" in article
    assert article.index("<audio") < article.index("<h1")
    # Without one, the step's words come first and the phone's voice (if any) after them.
    other = client.get("/learn/online-safety/fake-police/3").get_data(as_text=True)
    article = re.search(r"<article class=\"step\".*?</article>", other, re.S).group(0)
    assert "<audio" not in article and article.index("<h1") < article.index('class="listen"')
