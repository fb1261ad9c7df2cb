"""Fuzz the REST API from its own OpenAPI schema (schemathesis), as a student and an instructor.

The schema is loaded from the running application (/api/schema/ over WSGI, in process), and
every operation gets a bounded, derandomized set of generated requests: valid ones (positive),
schema-violating ones (negative), and valid ones with path parameters pointing at real objects
(the course, its quiz, the caller's own attempt, a slot, a dispute, a demo job), since random ids
are nearly always a 404. Every response must be free of server errors and conform to the schema:
a documented status code, a documented content type, and a body matching the documented shape.

Each request runs in a savepoint that is rolled back, so the real objects stay as they were
(an attempt submitted by one case is open again for the next).
"""

from __future__ import annotations

import secrets
import time
import traceback
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, find, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

# Per operation and role: random path parameters (nearly always a 404) with valid and with
# invalid data; real path parameters with valid and with invalid data; realistic requests.
RANDOM_EXAMPLES = 5
EXAMPLES = 10
JSON = "application/json"
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
FUZZ_SETTINGS = hypothesis_settings(
    derandomize=True, database=None, deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck))


@pytest.fixture
def in_process_wsgi():
    """Django's WSGI handler in this thread, inside the test's transaction.

    A real request ends by closing "old" connections, which would drop the test transaction;
    Django's own test client turns that off the same way.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(in_process_wsgi, world):
    return schemathesis.openapi.from_wsgi("/api/schema/", in_process_wsgi)


def session_auth(user) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of a logged-in browser: its session and its CSRF token."""
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)  # 32 characters: a CSRF secret Django accepts as is
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
               settings.CSRF_COOKIE_NAME: token}
    return {"X-CSRFToken": token}, cookies


def own_attempts(world, role: str):
    """The role's own open week-1 attempt and submitted essay attempt (the student's exist)."""
    from quizzes import services

    if role == "student":
        return world.attempt, world.submitted_attempt
    user = world.users[role]
    submitted = services.attempt_start(user=user, quiz=world.essay_quiz)
    services.attempt_submit(attempt=submitted)
    return services.attempt_start(user=user, quiz=world.quiz), submitted


def real_parameters(world, attempts, operation) -> st.SearchStrategy[dict]:
    """Path parameters naming real objects: the course, its quiz, the caller's own attempts
    (`attempts`: open, submitted), a slot, an answer, a question, a dispute and a demo job.
    Disputes and grading by hand are about the submitted essay attempt's answers."""
    open_attempt, submitted = attempts
    dispute_route = "/disputes/" in operation.path or "/grading/" in operation.path
    attempt = submitted if dispute_route else open_attempt
    values = {
        "course_slug": st.just(world.course.slug),
        "quiz_slug": st.just(world.essay_quiz.slug if dispute_route else world.quiz.slug),
        "attempt_id": st.just(attempt.pk),
        "slot_id": st.sampled_from(sorted(attempt.responses.values_list("slot_id", flat=True))),
        "response_id": st.sampled_from(sorted(attempt.responses.values_list("pk", flat=True))),
        "question_id": st.sampled_from(sorted(world.quiz.slots.values_list("question_id",
                                                                            flat=True))),
        "dispute_id": st.just(world.dispute.pk),
        "job_id": st.just(str(world.job.pk)),
    }
    return st.fixed_dictionaries({p.name: values[p.name] for p in operation.path_parameters})


# Characters that have broken web applications: NUL (PostgreSQL refuses it in text and JSON),
# lone surrogates (not UTF-8), right-to-left override, quotes and markup, astral-plane emoji.
HOSTILE = ["\x00", "\ud800", "\udfff", "\u202e", "'", '"', "<script>", "😀", "한", "a", " "]


def _text(max_size: int) -> st.SearchStrategy[str]:
    """Any text, half the time made of the hostile characters above."""
    return st.one_of(st.text(min_size=1, max_size=max_size),
                     st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=8).map("".join))


def _plain(max_size: int) -> st.SearchStrategy[str]:
    """Text that passes the API's own field checks (so the hostile part lands elsewhere)."""
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1,
                   max_size=max_size).filter(str.strip)


def realistic_requests(world, attempts, operation) -> st.SearchStrategy | None:
    """Requests a real client sends (well-formed answers, questions, files), for the operations
    whose random bodies almost never get past validation; None for the others."""
    from quizzes import qtypes
    from tests.quizzes.conftest import RIGHT, WRONG

    label = f"{operation.method.upper()} {operation.path}"
    course = {"course_slug": world.course.slug}
    if label == "PUT /api/attempts/{attempt_id}/responses/{slot_id}/":
        attempt = attempts[0]
        answers = []  # (slot, answer as the student sees it), right and wrong, for every item
        typed = []  # slots answered by typing: any text at all
        for response in attempt.responses.select_related("version__question").order_by("pk"):
            qtype = qtypes.get(response.version.qtype)
            for table in (RIGHT, WRONG):
                stored = table.get(response.version.question.key)
                if stored is not None:
                    answers.append((response.slot_id, qtype.to_display(
                        response.question_data, response.layout, stored)))
            answers.append((response.slot_id, None))  # clearing an answer
            if response.version.qtype in ("short_answer", "numerical"):
                typed.append(response.slot_id)
        picks = st.one_of(st.sampled_from(answers), st.tuples(
            st.sampled_from(typed), _text(50).map(lambda text: {"text": text})))
        return st.tuples(picks, st.sampled_from([0, 0, 1, 7])).flatmap(
            lambda pick: operation.as_strategy(
                path_parameters={"attempt_id": attempt.pk, "slot_id": pick[0][0]},
                body={"answer": pick[0][1], "sequence": pick[1]}, media_type=JSON))
    media_type = JSON
    question = st.fixed_dictionaries(
        {"qtype": st.just("true_false"), "stem": _plain(200),
         "data": st.fixed_dictionaries({"correct": st.booleans(),
                                        "feedback_true": _text(50)})},
        optional={"text_format": st.sampled_from(["markdown", "html", "plain"]),
                  "default_mark": st.floats(0, 10)})
    if label == "POST /api/courses/{course_slug}/questions/":
        categories = st.sampled_from(["Week 1", "Week 1/GAN", "새/하위"])
        body = st.tuples(question, _plain(100), categories, st.lists(_plain(20), max_size=3)).map(
            lambda t: {**t[0], "name": t[1], "category": t[2], "tags": t[3]})
    elif label == "POST /api/courses/{course_slug}/questions/preview/":
        body = question
    elif label == "POST /api/courses/{course_slug}/questions/import/":
        body = st.tuples(_text(60), _text(200), st.booleans()).map(lambda t: {
            # Surrogates pass into the bytes as they are: a file that is not valid UTF-8.
            "file": f"::{t[0]}:: {t[1]} {{{'T' if t[2] else 'F'}}}".encode(
                "utf-8", "surrogatepass"),
            "format": "gift"})
        media_type = "multipart/form-data"
    else:
        return None
    return body.flatmap(lambda b: operation.as_strategy(path_parameters=course, body=b,
                                                        media_type=media_type))


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_api_conforms_to_its_schema_and_never_fails(role, world, api_schema, capsys):
    from django.core.signals import got_request_exception

    headers, cookies = session_auth(world.users[role])
    attempts = own_attempts(world, role)
    crashes: list[str] = []  # tracebacks of the server errors of the current case

    def on_exception(sender, request=None, **kwargs):
        crashes.append(traceback.format_exc())

    def fuzz(strategy, label: str, examples: int):
        @hypothesis_settings(FUZZ_SETTINGS, max_examples=examples)
        @given(case=strategy)
        def run(case):
            counts[label] = counts.get(label, 0) + 1
            crashes.clear()
            with transaction.atomic():
                response = case.call(headers=headers, cookies=cookies)
                transaction.set_rollback(True)
            statuses[label][response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis: a group
                raise AssertionError(f"{exc}\n{''.join(crashes)}") from None

        return run

    failures: dict[str, str] = {}
    counts: dict[str, int] = {}
    statuses: dict[str, Counter] = defaultdict(Counter)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    started = time.monotonic()
    got_request_exception.connect(on_exception)
    try:
        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            # (strategy, examples): random then real path parameters, each with valid
            # (positive) and schema-violating (negative) data; then realistic requests.
            strategies = [(operation.as_strategy(), RANDOM_EXAMPLES),
                          (operation.as_strategy(generation_mode=NEGATIVE), RANDOM_EXAMPLES)]
            if operation.path_parameters:
                real = real_parameters(world, attempts, operation)
                for mode in (POSITIVE, NEGATIVE):
                    strategies.append((real.flatmap(
                        lambda params, op=operation, mode=mode: op.as_strategy(
                            path_parameters=params, generation_mode=mode)), EXAMPLES))
            realistic = realistic_requests(world, attempts, operation)
            if realistic is not None:
                strategies.append((realistic, EXAMPLES))
            for strategy, examples in strategies:
                try:
                    fuzz(strategy, label, examples)()
                except (Exception, BaseExceptionGroup) as exc:  # reported all together
                    failures.setdefault(label, str(exc)[:6000])
    finally:
        got_request_exception.disconnect(on_exception)
    by_class = Counter()
    for by_code in statuses.values():
        for code, n in by_code.items():
            by_class[f"{code // 100}xx"] += n
    with capsys.disabled():
        print(f"\napi fuzz as {role}: {sum(counts.values())} cases over {len(counts)} "
              f"operations in {time.monotonic() - started:.1f} s "
              f"({', '.join(f'{k}: {n}' for k, n in sorted(by_class.items()))})")
    assert not failures, "\n\n".join(f"=== {label}\n{text}" for label, text in failures.items())
    assert len(counts) == len(operations) >= 20
    # Not a vacuous pass: the real objects were reached (a lost login would make it all 403s).
    assert by_class["2xx"] >= 150, {label: dict(c) for label, c in statuses.items()}


# A body nested far deeper than any parser should recurse, a `Prefer: wait=` number longer than
# int() accepts (4300 digits), and a header of a megabyte.
DEEP_JSON = ("[" * 100_000 + "]" * 100_000).encode()
HOSTILE_HEADERS = [{"Prefer": "wait=" + "9" * 4301}, {"Prefer": "wait=" + "1" * 1_000_000},
                   {"X-Padding": "a" * 1_000_000}, {"Accept-Language": "ko," * 300_000}]


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_api_survives_deep_json_and_huge_headers(role, world, api_schema):
    """Every operation, with real path parameters: a deeply nested JSON body (where it takes a
    body) is a documented 4xx, and huge header values never cause a server error."""
    from django.core.signals import got_request_exception

    headers, cookies = session_auth(world.users[role])
    attempts = own_attempts(world, role)
    crashes: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        crashes.append(traceback.format_exc())

    def call(case, extra: dict) -> None:
        crashes.clear()
        with transaction.atomic():
            response = case.call(headers={**headers, **extra}, cookies=cookies)
            transaction.set_rollback(True)
        label = f"{case.operation.method.upper()} {case.operation.path} {list(extra)}"
        assert response.status_code < 500, f"{label}: {response.status_code}\n{''.join(crashes)}"
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance],
                               headers=headers)
        if case.media_type == JSON:
            assert response.status_code == 400, label
            assert response.json()["error"]["code"] == "parse_error", label
            assert str(MAX_JSON_DEPTH) in response.json()["error"]["message"], label

    got_request_exception.connect(on_exception)
    try:
        deep = 0
        for result in api_schema.get_all_operations():
            operation = result.ok()
            params = find(real_parameters(world, attempts, operation), lambda _: True,
                          settings=FUZZ_SETTINGS) if operation.path_parameters else {}
            media_types = [body.media_type for body in operation.body]
            if JSON in media_types:
                deep += 1
                call(operation.Case(path_parameters=params, body=DEEP_JSON, media_type=JSON,
                                    headers={"Content-Type": JSON}), {})
            for extra in HOSTILE_HEADERS:
                call(operation.Case(path_parameters=params), extra)
    finally:
        got_request_exception.disconnect(on_exception)
    assert deep >= 5
