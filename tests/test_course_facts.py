"""The corrected course facts stay corrected: these read the shipped course files, so an
edit that brings back a harmful fact (CURRICULUM.md P1.1-P1.8) fails here."""

from pathlib import Path

import pytest

from lms.content.catalog import read_catalog

COURSES = Path(__file__).resolve().parent.parent / "courses"


@pytest.fixture
def courses(app):
    with app.test_request_context("/"):
        found = read_catalog(COURSES)
    assert found.problems == ()
    return found.courses


def text_of(courses, course: str, lesson: str, language: str = "vi") -> str:
    """Everything a learner can read in one lesson: cards, prompts, options, feedback."""
    parts = []
    for step in courses[course].lesson(lesson).texts[language].steps:
        parts += [step.title, step.text]
        if step.picture:
            parts.append(step.picture.alt)
        if step.question:
            parts += [step.question.prompt, step.question.feedback]
            for option in step.question.options:
                parts += [option.text, option.feedback]
    return "\n".join(parts)


def correct_options(courses, course: str, lesson: str, language: str = "vi") -> list[str]:
    return [option.text
            for step in courses[course].lesson(lesson).texts[language].steps if step.question
            for index, option in enumerate(step.question.options)
            if index in step.question.correct_indexes]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_answer_rewards_texting_a_website_to_156(courses, language):
    """P1.1: 156 does not say whether a website is safe; villagers are taught not to tap."""
    rewarded = correct_options(courses, "online-safety", "report-a-scam", language)
    assert not [text for text in rewarded if "156" in text and (
        "web" in text.lower() or "trang" in text.lower())]
    link_answer = {"vi": "Đại sứ số", "en": "Digital Ambassador"}[language]
    assert any(link_answer in text for text in rewarded)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_bank_lesson_teaches_that_no_transfer_works_before_the_face_is_registered(
        courses, language):
    """P1.2: since January 2025 even a small transfer needs the face registered first."""
    text = text_of(courses, "digital-payments", "bank-app-basics", language)
    rule = {"vi": "chưa đăng ký khuôn mặt thì không chuyển được tiền",
            "en": "you cannot send money from your phone until your face is registered"}
    scam = {"vi": "Ngân hàng không gọi điện để cài khuôn mặt giúp",
            "en": "Banks do not call to set up your face for you"}
    assert rule[language] in text and scam[language] in text
    practice = next(s for s in courses["digital-payments"].lesson("bank-app-basics")
                    .texts[language].steps if s.kind == "practice")
    rewarded = [practice.question.options[i].text for i in practice.question.correct_indexes]
    assert "OTP" not in " ".join(rewarded)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_scams_are_taught_by_behaviour_not_by_number_prefixes(courses, language):
    """P1.4: fake police call from ordinary numbers; prefixes are no sign."""
    for course in ("online-safety", "digital-payments", "public-services"):
        for lesson in courses[course].lessons:
            if language in lesson.texts:
                text = text_of(courses, course, lesson.slug, language)
                for prefix in ("+840", "+882", "+94"):
                    assert prefix not in text, (course, lesson.slug, prefix)
    text = text_of(courses, "online-safety", "fake-police", language)
    for cue in {"vi": ["giữ bí mật", "gọi video", "đòi tiền"],
                "en": ["keep it secret", "video call", "ask for money"]}[language]:
        assert cue in text


@pytest.mark.parametrize(("course", "lesson"), [("online-safety", "report-a-scam"),
                                                ("digital-payments", "checking-records"),
                                                ("digital-payments", "e-wallets")])
def test_calling_the_bank_means_the_number_on_the_card(courses, course, lesson):
    """P1.5: fake hotlines come first in searches."""
    assert "in trên thẻ" in text_of(courses, course, lesson)
    assert "printed on your" in text_of(courses, course, lesson, "en")


def test_mobile_money_is_no_longer_taught_as_a_pilot(courses):
    """P1.3."""
    vi = text_of(courses, "digital-payments", "e-wallets")
    en = text_of(courses, "digital-payments", "e-wallets", "en")
    assert "2021" not in vi and "2021" not in en
    assert "chính thức" in vi and "officially" in en


def test_the_school_fee_example_charges_nothing_the_state_pays(courses):
    """P1.6: meals and boarding of semi-boarding pupils may be paid by the state."""
    notice = (COURSES / "digital-payments/images/fee-notice.svg").read_text("utf-8")
    assert "Tiền ăn" not in notice and "bán trú" not in notice
    vi = text_of(courses, "digital-payments", "paying-fees")
    assert "Nhà nước đã trả những khoản nào cho con" in vi
    assert "mang tên trường" in vi and "tài khoản riêng của con" not in vi


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_birth_bundle_can_take_five_days(courses, language):
    """P1.7."""
    rewarded = correct_options(courses, "public-services", "public-service-portal", language)
    assert any("3" in text and "5" in text for text in rewarded)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_child_of_seven_or_more_is_asked_too(courses, language):
    """P1.8: ask the child and a parent."""
    rewarded = correct_options(courses, "ambassador-track", "asking-consent", language)
    assert any(text.startswith({"vi": "Cả em", "en": "Both she"}[language])
               for text in rewarded)
