"""A new learner meets "Phone basics" first: on the home page and in the course list."""

from lms.content.catalog import catalog


def test_phone_basics_comes_first_on_the_home_of_a_new_learner(signed_in):
    page = signed_in("mine").get("/learn").get_data(as_text=True)
    # The Digital Family badge above the courses may name the others; the cards follow it.
    first = page.index("Làm quen với điện thoại")
    services = page.index("Dịch vụ công trực tuyến", first)
    assert services < page.index("Thanh toán số", services)
    assert "Đã học xong 0/2 bài" in page


def test_phone_basics_comes_first_in_the_course_list(signed_in):
    body = signed_in("mine").get("/api/v1/courses?lang=en").get_json()
    assert [course["slug"] for course in body][:2] == ["phone-basics", "public-services"]


def test_phone_basics_is_first_in_the_catalog_for_every_account(app):
    with app.test_request_context("/"):
        villager = catalog().for_track("villager")
    assert villager[0].slug == "phone-basics"
    assert villager[0].order < min(course.order for course in villager[1:])
