"""Reading a course through HTTP: access, progress, navigation, language."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("student1")
    enrol(user, mini_course, "student")
    return user


def lesson_url(slug):
    return reverse("courses:lesson", args=["mini", slug])


def test_anonymous_is_sent_to_login(client, mini_course):
    response = client.get(lesson_url("intro"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_not_enrolled_cannot_open_course_or_lesson(client, make_user, mini_course):
    client.force_login(make_user("outsider"))
    assert client.get(reverse("courses:detail", args=["mini"])).status_code == 403
    assert client.get(lesson_url("intro")).status_code == 403
    assert client.post(reverse("courses:lesson-read", args=["mini", "intro"])).status_code == 403
    assert "미니 강좌" not in client.get(reverse("courses:list")).content.decode()


def test_student_reads_lesson_with_math_and_no_script(client, student):
    client.force_login(student)
    response = client.get(lesson_url("intro"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<math" in body and "<details" in body
    assert "<script>alert" not in body and "onerror" not in body
    assert 'href="javascript' not in body
    assert 'rel="next"' in body and reverse("courses:lesson", args=["mini", "second"]) in body


def test_marking_read_shows_on_course_page(client, student):
    client.force_login(student)
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert "0 / 3" in page or "3개 중 0개" in page or "0 of 3" in page
    response = client.post(reverse("courses:lesson-read", args=["mini", "intro"]),
                           {"read": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert 'value="33"' in page  # the progress bar: 1 of 3 lessons


def test_instructor_sees_who_read_what_and_student_does_not(client, make_user, student,
                                                             mini_course, enrol):
    client.force_login(student)
    client.post(reverse("courses:lesson-read", args=["mini", "intro"]), {"read": "1"})
    teacher = make_user("teacher")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert "student1" in page and "1/3" in page
    client.force_login(student)
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert "teacher-only" not in page


def test_english_interface_uses_english_titles(client, student):
    client.force_login(student)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(lesson_url("intro")).content.decode()
    assert "Introduction" in page and 'lang="en"' in page


def test_unknown_lesson_is_404(client, student):
    client.force_login(student)
    assert client.get(lesson_url("nope")).status_code == 404


def test_every_page_links_courses_and_demos_and_instructors_see_the_status_board(
        client, student, make_user, mini_course, enrol):
    client.force_login(student)
    nav = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert f'href="{reverse("courses:list")}"' in nav
    assert f'href="{reverse("inference:index")}"' in nav
    assert f'href="{reverse("inference:status")}"' not in nav
    teacher = make_user("teacher1")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    page = client.get(reverse("inference:index")).content.decode()
    assert f'href="{reverse("inference:status")}"' in page
    assert 'aria-current="page">데모<' in page


@pytest.mark.parametrize(("method", "url"), [
    ("post", "/courses/mini/lessons/intro/read/"),  # "mark as read"
    ("post", "/demos/jobs/"),                        # a demo's button
    ("get", "/demos/jobs/00000000-0000-0000-0000-000000000001/?wait=2"),  # a result's poll
])
def test_an_htmx_request_after_the_session_ended_sends_the_page_to_login_and_back(
        client, mini_course, method, url):
    """login_required answers with a redirect, which htmx followed and swapped in: the whole
    login page inside the button's or the demo's area, whose form then led back to the
    fragment's URL (a 405 for the demo). The page itself goes to the login, then back."""
    page = "http://testserver/courses/mini/lessons/intro/?x=1"
    reply = getattr(client, method)(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert reply.status_code == 204, reply.status_code
    assert reply["HX-Redirect"] == "/accounts/login/?next=/courses/mini/lessons/intro/%3Fx%3D1"
    # Another site's URL in the header is not where the login leads back to.
    reply = getattr(client, method)(url, HTTP_HX_REQUEST="true",
                                    HTTP_HX_CURRENT_URL="https://evil.example/x")
    assert reply["HX-Redirect"] == "/accounts/login/?next=/x"
    # Without htmx, the usual redirect.
    assert getattr(client, method)(url).status_code == 302
