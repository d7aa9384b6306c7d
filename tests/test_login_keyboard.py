"""The sign-in form opens the keyboard each field needs on a phone."""

import re

from .conftest import TEST_PASSWORD, csrf_from


def _field(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def test_the_pin_opens_the_number_pad_and_the_phone_a_phone_keypad(client):
    page = client.get("/login").get_data(as_text=True)
    phone, secret = _field(page, "phone"), _field(page, "secret")
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone
    assert 'type="password"' in secret and 'inputmode="numeric"' in secret
    for field in (phone, secret):
        assert 'autocapitalize="off"' in field and 'autocorrect="off"' in field
        assert 'spellcheck="false"' in field
    assert 'href="/login?with=password"' in page


def test_staff_get_the_full_keyboard_and_can_sign_in_with_it(client, world):
    page = client.get("/login?with=password").get_data(as_text=True)
    assert "inputmode" not in _field(page, "secret")
    assert 'action="/login?with=password"' in page
    token = csrf_from(client, "/login?with=password")
    response = client.post("/login?with=password", data={
        "phone": world["ambassador"].phone, "secret": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/ambassador/"
