"""Who may do what (courses.access), over the rules themselves and over the pages and APIs that
ask them: anonymous, a student of another course, a student, a TA, an instructor, and staff who
are not enrolled. A refusal carries its sentence to the page and to the API's JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.errors import ApplicationError
from courses import access
from courses.models import Course

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "student", "ta", "instructor", "staff")


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people(make_user, mini_course, enrol):
    """One user per role; the outsider is a student of another course."""
    other = Course.objects.create(slug="other", title="Other course")
    users = {"anonymous": None}
    users["outsider"] = make_user("outsider")
    enrol(users["outsider"], other, "student")
    for role in ("student", "ta", "instructor"):
        users[role] = make_user(role)
        enrol(users[role], mini_course, role)
    users["staff"] = make_user("staffer", is_staff=True)
    return users


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _user(people, role):
    from django.contrib.auth.models import AnonymousUser

    return people[role] or AnonymousUser()


# --- The rules themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("role, sees, teaches, instructs", [
    ("anonymous", False, False, False),
    ("outsider", False, False, False),
    ("student", True, False, False),
    ("ta", True, True, False),
    ("instructor", True, True, True),
    ("staff", True, True, True),
])
def test_course_rules_for_each_role(people, mini_course, role, sees, teaches, instructs):
    user = _user(people, role)
    if not sees:
        with pytest.raises(ApplicationError) as caught:
            access.course_access_get(user=user, course_slug="mini")
        assert (caught.value.status, caught.value.code) == (403, "forbidden")
        return
    got = access.course_access_get(user=user, course_slug="mini")
    assert (got.can_teach, got.is_instructor) == (teaches, instructs)
    for rule, allowed in ((access.require_teacher, teaches),
                          (access.require_instructor, instructs)):
        if allowed:
            assert rule(got) is got
        else:
            with pytest.raises(ApplicationError) as caught:
                rule(got)
            assert caught.value.status == 403


def test_no_such_course_is_404_not_403(people):
    from django.http import Http404

    with pytest.raises(Http404):
        access.course_access_get(user=people["staff"], course_slug="nope")


def test_only_the_owner_changes_an_attempt(people):
    student = people["student"]
    access.require_attempt_owner(user=student, attempt_user_id=student.pk)
    for role in ("ta", "instructor", "staff"):
        with pytest.raises(ApplicationError) as caught:
            access.require_attempt_owner(user=people[role], attempt_user_id=student.pk)
        assert caught.value.status == 403
        assert "owns this attempt" in str(caught.value)


def test_teachers_and_the_owner_see_an_attempt(people, mini_course):
    owner = people["student"]
    for role in ("student", "ta", "instructor", "staff"):
        got = access.course_access_get(user=people[role], course_slug="mini")
        access.require_attempt_viewer(user=people[role], access=got, attempt_user_id=owner.pk)
    other = access.course_access_get(user=people["student"], course_slug="mini")
    with pytest.raises(ApplicationError):
        access.require_attempt_viewer(user=people["student"], access=other,
                                      attempt_user_id=people["ta"].pk)


@pytest.mark.parametrize("role, allowed", [
    ("anonymous", False), ("outsider", False), ("student", False), ("ta", False),
    ("instructor", True), ("staff", True),
])
def test_site_models_are_for_instructors_of_any_course_and_staff(people, role, allowed):
    assert access.can_manage_site_models(user=_user(people, role)) is allowed


@pytest.mark.parametrize("role, private, shared", [
    ("anonymous", False, False), ("outsider", False, False), ("student", False, True),
    ("ta", True, True), ("instructor", True, True), ("staff", True, True),
])
def test_who_sees_a_demo_result(people, mini_course, make_user, enrol, role, private, shared):
    """The maker is another student of the course; `student` here is a classmate."""
    maker = make_user("maker")
    enrol(maker, mini_course, "student")
    user = _user(people, role)
    for is_shared, expected in ((False, private), (True, shared)):
        assert access.can_see_demo_job(user=user, job_user_id=maker.pk, course_id=mini_course.pk,
                                       shared=is_shared) is expected
    assert access.can_see_demo_job(user=maker, job_user_id=maker.pk, course_id=None,
                                   shared=False)


# --- Pages: the status and the sentence -------------------------------------------------------


PAGES = {
    # name: (url, roles allowed)
    "course": (lambda: reverse("courses:detail", args=["mini"]),
               {"student", "ta", "instructor", "staff"}),
    "bank": (lambda: reverse("bank:index", args=["mini"]), {"ta", "instructor", "staff"}),
    "participants": (lambda: reverse("courses:participants", args=["mini"]),
                     {"instructor", "staff"}),
    "gradebook": (lambda: reverse("quizzes:gradebook", args=["mini"]),
                  {"student", "ta", "instructor", "staff"}),
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_rules(client, people, page, role):
    url, allowed = PAGES[page]
    response = _as(client, people[role]).get(url())
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in allowed:
        assert response.status_code == 200, (page, role)
    else:
        assert response.status_code == 403, (page, role)


def test_a_refused_page_says_why(client, people):
    response = _as(client, people["outsider"]).get(reverse("courses:detail", args=["mini"]))
    assert response.status_code == 403
    assert "You are not enrolled in this course." in response.content.decode()
    response = _as(client, people["ta"]).get(reverse("courses:participants", args=["mini"]))
    assert "Only the course&#x27;s instructors can manage its participants." in \
        response.content.decode()


@pytest.mark.parametrize("role, allowed", [
    ("outsider", False), ("student", False), ("ta", False), ("instructor", True),
    ("staff", True),
])
def test_demo_status_board(client, people, monkeypatch, role, allowed):
    monkeypatch.setattr("inference.views.worker_health",
                        lambda timeout=3.0: {"ok": False, "workers": [], "error": "none"})
    response = _as(client, people[role]).get(reverse("inference:status"))
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert "Only instructors see the demo status board." in response.content.decode()


# --- APIs: the status, the code and the sentence in JSON --------------------------------------


@pytest.mark.parametrize("role, allowed", [
    ("anonymous", False), ("outsider", False), ("student", True), ("ta", True),
    ("instructor", True), ("staff", True),
])
def test_api_course_quizzes(client, people, role, allowed):
    response = _as(client, people[role]).get(reverse("api-quizzes", args=["mini"]))
    if allowed:
        assert response.status_code == 200
        return
    assert response.status_code == 403
    error = response.json()["error"]
    if role == "anonymous":  # the API's own gate, before any course rule
        assert error["code"] == "not_authenticated"
    else:
        assert error == {"code": "forbidden", "fields": {},
                         "message": "You are not enrolled in this course."}


@pytest.mark.parametrize("role, allowed", [
    ("outsider", False), ("student", False), ("ta", True), ("instructor", True),
    ("staff", True),
])
def test_api_question_bank_is_for_teachers(client, people, role, allowed):
    response = _as(client, people[role]).get(reverse("api-questions", args=["mini"]))
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"] in ("You are not enrolled in this course.",
                                    "Only the course's teachers can use the question bank.")


def test_api_a_teacher_cannot_answer_for_a_student(client, people, mini_course):
    from quizzes import services
    from quizzes.models import Quiz

    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    attempt = services.attempt_start(user=people["student"], quiz=quiz)
    slot = attempt.responses.order_by("position").first().slot_id
    for role in ("ta", "instructor"):
        response = _as(client, people[role]).put(
            reverse("api-response", args=[attempt.pk, slot]),
            data={"answer": None, "sequence": 0}, content_type="application/json")
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "forbidden", "fields": {},
            "message": "Only the student who owns this attempt can change it."}


# --- No edge re-derives a role ----------------------------------------------------------------

EDGES = [
    "courses/views.py", "quizzes/views.py", "quizzes/api.py", "quizzes/bank_api.py",
    "quizzes/bank", "quizzes/selectors.py", "inference/views.py", "inference/api.py",
    "inference/pool_views.py", "inference/pool_photos.py", "inference/selectors.py",
    "inference/services.py", "inference/training/views.py", "inference/training/selectors.py",
]


def test_views_apis_and_selectors_ask_courses_access_instead_of_deriving_roles():
    """`is_staff`, a teaching role or Django's PermissionDenied in one of these files would be
    a second statement of a rule that courses/access.py states once."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = []
    for name in EDGES:
        path = root / name
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    offenders = [f"{f.relative_to(root)}: {needle}" for f in files
                 for needle in ("is_staff", "Enrollment.Role.INSTRUCTOR", "Enrollment.Role.TA",
                                "PermissionDenied")
                 if needle in f.read_text(encoding="utf-8")]
    assert offenders == []
