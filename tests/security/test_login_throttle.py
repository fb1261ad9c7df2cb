"""Repeated failed logins lock the account out for that address (django-axes)."""

import pytest

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_locked_out(client, make_user, settings):
    make_user("victim", password="right-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    locked = client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    assert locked.status_code == 429
    # Even the right password is refused while locked out.
    again = client.post("/accounts/login/", {"username": "victim", "password": "right-pass-123"})
    assert again.status_code == 429 and "_auth_user_id" not in client.session


def test_a_good_login_works_and_resets_the_counter(client, make_user):
    make_user("alice", password="right-pass-123")
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice",
                                                "password": "right-pass-123"})
    assert response.status_code == 302 and client.session.get("_auth_user_id")
