"""Every page and API endpoint × every method it accepts × every role, against one table.

The table is `permission_matrix.MATRIX`. The routes come from the URL configuration itself, so a
new view without a row (or a row left behind by a removed view) fails the test. Each request runs
in a savepoint that is rolled back, so every cell starts from the same database; a cell that is
not "ok" must leave the database exactly as it found it.
"""

from __future__ import annotations

import hashlib
import json
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from .permission_matrix import (
    BODIES,
    FORBIDDEN,
    KWARGS,
    KWARGS_BY_ROUTE,
    LOGIN,
    MATRIX,
    METHOD,
    NOTFOUND,
    OK,
    REFUSED,
    ROLES,
    SKIPPED_PREFIXES,
)

pytestmark = pytest.mark.django_db

API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FINGERPRINT_APPS = ("auth", "courses", "quizzes", "inference")


# ---------------------------------------------------------------------------------------------
# The URL configuration
# ---------------------------------------------------------------------------------------------


def iter_routes(patterns=None, prefix: str = "", namespace: str | None = None):
    """(name, route, pattern) for every URL the application serves, includes walked."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from iter_routes(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"<unnamed {route}>", route, entry


def api_view_class(pattern: URLPattern) -> type[APIView] | None:
    cls = getattr(pattern.callback, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def implemented_methods(cls: type[APIView]) -> set[str]:
    return {m.upper() for m in cls.http_method_names
            if m not in ("options", "head", "trace") and hasattr(cls, m)}


def test_every_route_has_a_row_and_every_row_a_route():
    routes = {name: (route, pattern) for name, route, pattern in iter_routes()}
    missing = sorted(f"{name} ({route})" for name, (route, _) in routes.items()
                     if name not in MATRIX)
    stale = sorted(set(MATRIX) - set(routes))
    assert not missing, f"routes with no row in permission_matrix.MATRIX: {missing}"
    assert not stale, f"rows for routes that do not exist: {stale}"
    for name, (_route, pattern) in routes.items():
        for method, cells in MATRIX[name].items():
            assert set(cells) == set(ROLES), f"{name} {method}: a role is missing"
        cls = api_view_class(pattern)
        if cls is not None:
            assert set(MATRIX[name]) == implemented_methods(cls), (
                f"{name}: the table's methods {sorted(MATRIX[name])} are not the view's "
                f"{sorted(implemented_methods(cls))}")


# ---------------------------------------------------------------------------------------------
# Running the cells
# ---------------------------------------------------------------------------------------------


def resolve_path(world, dotted: str):
    value = world
    for part in dotted.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def url_for(world, name: str, pattern: URLPattern) -> str:
    overrides = KWARGS_BY_ROUTE.get(name, {})
    kwargs = {kwarg: resolve_path(world, overrides.get(kwarg, KWARGS[kwarg]))
              for kwarg in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def db_fingerprint() -> str:
    """A hash of every row of the application's tables (sessions and lockouts left out).
    Computed only after a request ran a write statement (see WriteSpy): a few ms each."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label not in FINGERPRINT_APPS:
            continue
        digest.update(model._meta.label.encode())
        for values in model.objects.order_by("pk").values_list():
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v
                                     for v in values)).encode())
    return digest.hexdigest()


class WriteSpy:
    """Counts the statements of a request that write to the application's tables."""

    IGNORED = ("django_session", "axes_")

    def __init__(self):
        self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and not any(
                table in sql for table in self.IGNORED):
            self.writes += 1
        return execute(sql, params, many, context)


def send(client: Client, method: str, url: str, body, api: type[APIView] | None):
    if method == "GET":
        return client.get(url, data=body or {})
    if api is None:
        return client.post(url, data=body or {})
    if any(p.media_type == "application/json" for p in api().get_parsers()):
        return client.generic(method, url, json.dumps(body or {}),
                              content_type="application/json")
    return client.generic(method, url, encode_multipart(BOUNDARY, body or {}),
                          content_type=MULTIPART_CONTENT)


def matches(expected: str, response, is_api: bool) -> bool:
    code = response.status_code
    to_login = 300 <= code < 400 and urlsplit(response["Location"]).path == reverse("login")
    if expected == OK:
        return 200 <= code < 300 or (300 <= code < 400 and not to_login) or code == 400
    if expected == REFUSED:
        return 200 <= code < 300 or (300 <= code < 400 and not to_login)
    if expected == LOGIN:
        return to_login or (is_api and code in (401, 403))
    return code == {FORBIDDEN: 403, NOTFOUND: 404, METHOD: 405}[expected]


def describe(response) -> str:
    text = str(response.status_code)
    if 300 <= response.status_code < 400:
        text += f" → {response['Location']}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        text += f" ({exc_info[0].__name__}: {exc_info[1]})"
    return text


@pytest.fixture
def clients(world):
    clients = {"anon": Client(raise_request_exception=False)}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def test_permission_matrix(world, clients, monkeypatch, capsys):
    # The status board asks a Celery worker for its health (3 s without one): not access.
    monkeypatch.setattr("inference.views.worker_health",
                        lambda timeout=3.0: {"ok": True, "workers": [], "error": ""})
    baseline = db_fingerprint()
    cells: list[tuple] = []
    for name, _route, pattern in iter_routes():
        url = url_for(world, name, pattern)
        api = api_view_class(pattern)
        is_api = api is not None
        methods = dict(MATRIX[name])
        if is_api:  # every method the view does not implement: 405 (anonymous: 403 first)
            anon_get = next(iter(methods.values()))["anon"]
            for method in API_METHODS:
                methods.setdefault(method, {role: METHOD if role != "anon" or anon_get == OK
                                            else LOGIN for role in ROLES})
        for method, row in methods.items():
            body_of = BODIES.get((name, method))
            for role in ROLES:
                body = body_of(world) if body_of else None  # fresh: an upload is read once
                cells.append((name, method, role, row[role], url, body, api))

    failures, writes_seen = [], 0
    for name, method, role, expected, url, body, api in cells:
        is_api = api is not None
        client = clients[role]
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        spy = WriteSpy()
        with transaction.atomic():
            with connection.execute_wrapper(spy):
                response = send(client, method, url, body, api)
            changed = False
            if spy.writes and response.status_code < 500:
                try:  # a write statement ran: did it leave anything changed?
                    changed = db_fingerprint() != baseline
                except DatabaseError:  # a failed statement left the transaction unusable
                    changed = False
            transaction.set_rollback(True)
        client.cookies = SimpleCookie()
        for key, value in cookies.items():
            client.cookies[key] = value
        cell = f"{method} {url} [{name}] as {role}: expected {expected}, got {describe(response)}"
        if not matches(expected, response, is_api):
            failures.append(cell)
        elif expected != OK and changed:
            failures.append(cell + " — and the database changed")
        elif expected == OK and changed:
            writes_seen += 1

    routes = len(MATRIX)
    listed = sum(len(methods) * len(ROLES) for methods in MATRIX.values())
    with capsys.disabled():
        print(f"\npermission matrix: {routes} routes, "
              f"{sum(len(m) for m in MATRIX.values())} route×method pairs × {len(ROLES)} roles "
              f"= {listed} table cells; {len(cells) - listed} more cells for methods the API "
              f"views do not implement; {len(cells)} requests; {writes_seen} allowed writes "
              f"changed the database")
    assert not failures, f"{len(failures)} of {len(cells)} cells differ:\n" + "\n".join(failures)
    # The "nothing changed" check is only worth something if it sees the allowed writes.
    assert writes_seen >= 20


# ---------------------------------------------------------------------------------------------
# Spot checks, readable on their own: a refused write leaves the rows as they were
# ---------------------------------------------------------------------------------------------


def test_student_cannot_change_the_teachers_things(world, clients):
    from quizzes.models import Question, RegradeLog

    student = clients["student"]
    quiz = world.quiz
    before = (quiz.published, quiz.slots.count(), Question.objects.count(),
              world.question.versions.count())
    assert student.post(reverse("bank:quiz-publish", args=["mini", quiz.slug]),
                        {"published": "0"}).status_code == 403
    assert student.post(reverse("bank:question-delete",
                                args=["mini", world.question.pk])).status_code == 403
    assert student.post(reverse("bank:slot-remove",
                                args=["mini", quiz.slug, world.slot.pk])).status_code == 403
    assert student.post(reverse("quizzes:question-edit", args=["mini", quiz.slug,
                                                                world.question.pk]),
                        {"stem": "hacked", "data": "{}"}).status_code == 403
    assert student.post(reverse("api-questions", args=["mini"]),
                        {"name": "x", "category": "A", "qtype": "true_false", "stem": "?",
                         "data": {"correct": True}},
                        content_type="application/json").status_code == 403
    assert student.post(reverse("api-regrade", args=["mini", quiz.slug, world.question.pk]),
                        {}, content_type="application/json").status_code == 403
    quiz.refresh_from_db()
    assert (quiz.published, quiz.slots.count(), Question.objects.count(),
            world.question.versions.count()) == before
    assert not RegradeLog.objects.exists()


def test_no_one_else_can_answer_or_submit_the_students_attempt(world, clients):
    attempt, response = world.attempt, world.open_response
    for role in ("outsider", "ta", "instructor", "staff", "other_instructor"):
        client = clients[role]
        client.post(reverse("quizzes:autosave", args=[attempt.pk, world.slot.pk]),
                    {f"s{world.slot.pk}-sequence": "0", f"s{world.slot.pk}-choice": "0"})
        client.put(reverse("api-response", args=[attempt.pk, world.slot.pk]),
                   {"answer": {"choice": 0}, "sequence": 0}, content_type="application/json")
        client.post(reverse("quizzes:submit", args=[attempt.pk]))
        client.post(reverse("api-attempt-submit", args=[attempt.pk]))
        response.refresh_from_db()
        attempt.refresh_from_db()
        assert (response.answer, response.sequence, attempt.state) == (None, 0, "in_progress"), role


def test_outsiders_see_no_course_data(world, clients):
    outsider = clients["outsider"]
    assert outsider.get(reverse("api-courses")).json() == []
    for url in (reverse("api-attempt", args=[world.attempt.pk]),
                reverse("api-grades", args=["mini"]),
                reverse("inference:file", args=[world.job.pk, "face-0.png"]),
                reverse("bank:question-file", args=[world.question_file.version_id,
                                                    world.question_file.name])):
        response = outsider.get(url)
        assert response.status_code == 403, url
        assert b"student1" not in response.content and b"\x89PNG" not in response.content
