"""A lesson finished by a villager moves the ambassador's and the official's views."""

from .learning_helpers import lesson_of, walk_lesson


def test_a_finished_lesson_shows_for_the_ambassador_and_the_official(signed_in, world):
    ambassador, official = signed_in("ambassador"), signed_in("official")
    household_page = f"/ambassador/households/{world['mine'].id}"
    assert "0 bài đã xong" in ambassador.get(household_page).get_data(as_text=True)
    before = official.get(f"/api/v1/stats/communes/{world['home'].id}").get_json()
    assert before["people"] == 5 and all(c["started"] == 0 for c in before["courses"])
    course, lesson = lesson_of()
    walk_lesson(signed_in("mine"), course, lesson)
    assert "1 bài đã xong" in ambassador.get(household_page).get_data(as_text=True)
    after = official.get(f"/api/v1/stats/communes/{world['home'].id}").get_json()
    figures = {c["slug"]: c for c in after["courses"]}
    assert figures["public-services"]["started"] == "<5"
    assert "<5" in official.get("/official/").get_data(as_text=True)


def test_a_course_completed_counts_once_every_lesson_is_done(signed_in, world):
    course, _ = lesson_of("online-safety")
    client = signed_in("mine")
    for lesson in course.lessons:
        walk_lesson(client, course, lesson)
    body = signed_in("admin").get(f"/api/v1/stats/communes/{world['home'].id}").get_json()
    figures = {c["slug"]: c for c in body["courses"]}
    assert figures["online-safety"]["completed"] == "<5"
    assert figures["public-services"]["completed"] == 0


def test_stats_of_another_commune_are_404(signed_in, world):
    assert signed_in("official").get(f"/api/v1/stats/communes/{world['away'].id}"
                                     ).status_code == 404
    assert signed_in("ambassador").get(f"/api/v1/stats/communes/{world['home'].id}"
                                       ).status_code == 404
    assert signed_in("mine").get(f"/api/v1/stats/communes/{world['home'].id}"
                                 ).status_code == 404
