"""The installable web app: manifest, service worker and a course's offline file list."""

import json


def test_manifest_names_the_app_with_a_start_url_per_language(client):
    response = client.get("/manifest.webmanifest?lang=en")
    assert response.mimetype == "application/manifest+json"
    body = json.loads(response.get_data(as_text=True))
    assert body["name"] == "Học Số" and body["display"] == "standalone"
    assert body["start_url"] == "/learn?lang=en" and body["lang"] == "en"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in body["icons"]}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_from_the_root_and_never_cached_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and "javascript" in response.mimetype
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"


def test_offline_list_has_every_step_and_picture_of_the_course(signed_in):
    client = signed_in("mine")
    body = client.get("/api/v1/courses/public-services/offline").get_json()
    steps = [url for url in body["urls"] if url.startswith("/learn/public-services/")
             and url.rsplit("/", 1)[1].isdigit()]
    assert "/learn/public-services/vneid-two-levels/1" in steps and len(steps) >= 25
    assert any(url.startswith("/content/public-services/images/") for url in body["urls"])
    assert body["bytes"] > 0 and body["version"]
    for url in body["urls"][:12]:
        assert client.get(url).status_code == 200, url


def test_offline_list_respects_the_learners_track(signed_in):
    assert signed_in("mine").get("/api/v1/courses/ambassador-track/offline").status_code == 404


def test_pages_say_who_is_learning_for_the_offline_queue(signed_in, world):
    page = signed_in("mine", member=1).get("/learn").get_data(as_text=True)
    assert f'data-person="{world["mine"].members[1].id}"' in page
    assert 'name="csrf-token"' in page and 'id="sync-status"' in page


def test_staff_who_do_not_learn_have_no_offline_queue(signed_in):
    page = signed_in("official").get("/official/").get_data(as_text=True)
    assert "data-person" not in page and 'id="sync-status"' not in page
