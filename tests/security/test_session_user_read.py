"""A session this process has read before is read with its user's cached row in one cache call
(config/sessions.py, config/auth_cache.py), and that changes nothing about who is logged in:
a logout, a password change or a deactivation elsewhere still ends the session at once, and
two users served by one thread never see each other's row."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

ME = "/api/courses/"  # a logged-in API read: 200 for a user, 403 for nobody


@pytest.fixture(autouse=True)
def production_sessions(settings):
    settings.SESSION_ENGINE = "config.sessions"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "session-user-read"}}
    yield
    caches["default"].clear()


@pytest.fixture
def reads(monkeypatch):
    """The cache calls that read a session or a user row: one list of keys per call."""
    cache = caches["default"]
    calls = []
    inside = []  # the local-memory cache's get_many calls its own get: count the outer call

    def spy(name):
        real = getattr(cache, name)

        def call(key_or_keys, *args, **kwargs):
            keys = [key_or_keys] if isinstance(key_or_keys, str) else list(key_or_keys)
            if not inside and any(k.startswith(("django.contrib.sessions", "auth-user:"))
                                  for k in keys):
                calls.append(keys)
            inside.append(name)
            try:
                return real(key_or_keys, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(cache, name, call)

    spy("get")
    spy("get_many")
    return calls


def _who(response):
    return response.wsgi_request.user


def test_a_known_session_and_its_user_come_in_one_cache_call(client, make_user, reads):
    user = make_user("one-read")
    client.force_login(user)
    assert client.get(ME).status_code == 200
    reads.clear()
    response = client.get(ME)
    assert response.status_code == 200 and _who(response) == user
    assert reads == [[f"django.contrib.sessions.cached_db{client.session.session_key}",
                      f"auth-user:{user.pk}"]]


def test_a_logout_elsewhere_ends_the_session_at_once(client, make_user):
    user = make_user("logged-out")
    client.force_login(user)
    assert client.get(ME).status_code == 200
    key = client.cookies["sessionid"].value
    from config.sessions import SessionStore

    SessionStore(key).delete()  # another process's logout
    response = client.get(ME)
    assert response.status_code == 403 and not _who(response).is_authenticated


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_a_changed_user_is_not_served_from_the_known_session(client, make_user, change):
    user = make_user(f"changed-{change}")
    client.force_login(user)
    assert client.get(ME).status_code == 200
    if change == "password":
        user.set_password("another-pw-123!")
    else:
        user.is_active = False
    user.save()  # drops the cached row (config.auth_cache)
    response = client.get(ME)
    assert response.status_code == 403 and not _who(response).is_authenticated


def test_two_users_on_one_thread_each_get_their_own_row(make_user, reads):
    from django.test import Client

    alice, bob = make_user("alice-1"), make_user("bob-1")
    clients = {alice: Client(), bob: Client()}
    for user, c in clients.items():
        c.force_login(user)
        c.get(ME)
    for _ in range(3):
        for user, c in clients.items():
            response = c.get(ME)
            assert response.status_code == 200 and _who(response) == user


def test_a_session_whose_data_names_another_user_is_not_given_the_remembered_row(
        client, make_user):
    """The remembered owner is only a guess of which row to fetch: the session's data decides."""
    user, other = make_user("first-owner"), make_user("second-owner")
    client.force_login(user)
    assert client.get(ME).status_code == 200
    from config.sessions import SessionStore

    store = SessionStore(client.cookies["sessionid"].value)
    store.load()
    store["_auth_user_id"] = str(other.pk)
    store["_auth_user_hash"] = other.get_session_auth_hash()
    store.save()
    response = client.get(ME)
    assert response.status_code == 200 and _who(response) == other
