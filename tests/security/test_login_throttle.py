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


def test_one_address_trying_a_password_on_many_accounts_is_locked_out(client, make_user,
                                                                     settings):
    """Spraying one password over 40 accounts from one address: each account sees one failure
    (far under its own limit), but the address is locked out after AXES_IP_FAILURE_LIMIT."""
    assert settings.AXES_FAILURE_LIMIT < settings.AXES_IP_FAILURE_LIMIT < 40
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 80 logins
    for i in range(40):
        make_user(f"sprayed{i}", password=f"right-pass-{i}")
    statuses = [client.post("/accounts/login/", {"username": f"sprayed{i}",
                                                 "password": "Spring2026!"},
                            REMOTE_ADDR="203.0.113.7").status_code for i in range(40)]
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert statuses[:limit - 1] == [200] * (limit - 1)  # the form again, with an error
    assert set(statuses[limit - 1:]) == {429}
    # The address is locked even for a right password; another address is not.
    again = client.post("/accounts/login/", {"username": "sprayed0", "password": "right-pass-0"},
                        REMOTE_ADDR="203.0.113.7")
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    other = client.post("/accounts/login/", {"username": "sprayed1", "password": "right-pass-1"},
                        REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302
