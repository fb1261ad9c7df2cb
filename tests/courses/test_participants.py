"""The course's participants page: an instructor enrols people from a CSV list (every line
checked first, all or nothing), changes a role and removes an enrolment, over HTTP."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(make_user, mini_course, enrol):
    user = make_user("prof")
    enrol(user, mini_course, "instructor")
    return user


@pytest.fixture
def prof(instructor) -> Client:
    client = Client()
    client.force_login(instructor)
    return client


def roles(course) -> dict[str, str]:
    return dict(Enrollment.objects.filter(course=course).values_list("user__username", "role"))


def page_messages(response) -> str:
    return " ".join(re.findall(r'<li class="message-[a-z]+">(.*?)</li>',
                               response.content.decode(), re.S))


def test_an_instructor_imports_a_csv_creating_missing_accounts_without_a_password(
        prof, mini_course, make_user, enrol):
    existing = make_user("lee02")
    existing.first_name = "이서준"
    existing.save()
    already = make_user("park03")
    enrol(already, mini_course, "student")
    text = ("username,name,email,role\n"
            "kim01,김민지,kim01@example.org,student\n"
            "lee02,Someone Else,lee02@example.org,\n"
            "park03,박지훈,,ta\n"
            "\n"
            "choi04,최유나,choi04@example.org,조교\n")
    upload = SimpleUploadedFile("roster.csv", ("\ufeff" + text).encode("utf-8"), "text/csv")
    response = prof.post(reverse("courses:participants-import", args=["mini"]),
                         {"file": upload}, follow=True)
    assert response.status_code == 200
    got = roles(mini_course)
    assert got["kim01"] == "student" and got["lee02"] == "student"
    assert got["park03"] == "ta" and got["choi04"] == "ta"
    users = get_user_model().objects
    kim = users.get(username="kim01")
    assert kim.first_name == "김민지" and kim.email == "kim01@example.org"
    assert not kim.has_usable_password()
    # An existing account is enrolled as it is (its name is not replaced), and its password kept.
    lee = users.get(username="lee02")
    assert lee.first_name == "이서준" and lee.has_usable_password()
    said = page_messages(response)
    assert "kim01" in said and "choi04" in said  # the accounts created without a password
    assert "lee02" in said  # whose details in the list were not applied
    # The page lists everyone with their role.
    assert "김민지" in response.content.decode()


def test_one_wrong_line_imports_nothing_and_every_wrong_line_is_named(prof, mini_course):
    before = roles(mini_course)
    users_before = get_user_model().objects.count()
    text = ("ok01,Good,ok01@example.org,student\n"
            "bad user,Name,x@example.org,student\n"
            "ok02,Good,not-an-email,student\n"
            "ok03,Good,ok03@example.org,professor\n"
            "ok01,Again,ok01@example.org,student\n")
    response = prof.post(reverse("courses:participants-import", args=["mini"]),
                         {"roster": text})
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.findall(r"<li>(.*?)</li>", html.split('id="roster-errors"')[1].split("</ul>")[0])
    assert len(errors) == 5  # the heading line and the four wrong lines (2, 3, 4, 5)
    assert all(any(re.search(rf"(?<!\d){n}(?!\d)", e) and ok in e for e in errors)
               for n, ok in ((2, "bad user"), (3, "not-an-email"), (4, "professor"),
                             (5, "ok01")))
    assert "ok02,Good,not-an-email" in html  # the pasted text is kept to be corrected
    assert roles(mini_course) == before
    assert get_user_model().objects.count() == users_before


def test_an_instructor_changes_a_role_and_removes_an_enrolment(
        prof, instructor, mini_course, make_user, enrol):
    student = make_user("stu9")
    enrollment = enrol(student, mini_course, "student")
    url = reverse("courses:participant-role", args=["mini", enrollment.pk])
    assert prof.post(url, {"role": "ta"}).status_code == 302
    assert roles(mini_course)["stu9"] == "ta"
    refused = prof.post(url, {"role": "owner"}, follow=True)
    assert roles(mini_course)["stu9"] == "ta" and "student" in page_messages(refused)
    assert 'class="message-error"' in refused.content.decode()
    remove = reverse("courses:participant-remove", args=["mini", enrollment.pk])
    assert prof.post(remove).status_code == 302
    assert "stu9" not in roles(mini_course)
    gone = Client()
    gone.force_login(student)
    assert gone.get(reverse("courses:detail", args=["mini"])).status_code == 403


def test_the_last_instructor_cannot_be_removed_or_demoted(prof, instructor, mini_course):
    mine = Enrollment.objects.get(user=instructor, course=mini_course)
    demote = prof.post(reverse("courses:participant-role", args=["mini", mine.pk]),
                       {"role": "student"}, follow=True)
    assert 'class="message-error"' in demote.content.decode()
    assert roles(mini_course)["prof"] == "instructor"
    prof.post(reverse("courses:participant-remove", args=["mini", mine.pk]))
    assert roles(mini_course)["prof"] == "instructor"
    # Nor by a list that makes them a student.
    response = prof.post(reverse("courses:participants-import", args=["mini"]),
                         {"roster": "prof,,,student\nnew01,,,student\n"})
    assert response.status_code == 400
    assert roles(mini_course)["prof"] == "instructor" and "new01" not in roles(mini_course)


def test_the_course_page_links_the_participants_page_for_its_instructors_only(
        prof, mini_course, make_user, enrol):
    url = reverse("courses:participants", args=["mini"])
    assert url in prof.get(reverse("courses:detail", args=["mini"])).content.decode()
    for role in ("student", "ta"):
        user = make_user(f"u-{role}")
        enrol(user, mini_course, role)
        client = Client()
        client.force_login(user)
        assert url not in client.get(reverse("courses:detail", args=["mini"])).content.decode()
        assert client.get(url).status_code == 403
        assert client.post(reverse("courses:participants-import", args=["mini"]),
                           {"roster": f"x-{role},,,instructor"}).status_code == 403
    assert "x-student" not in roles(mini_course) and "x-ta" not in roles(mini_course)


def test_a_cp949_file_from_a_korean_excel_is_read(prof, mini_course):
    upload = SimpleUploadedFile("roster.csv", "han05,한지우,,student\n".encode("cp949"),
                                "text/csv")
    prof.post(reverse("courses:participants-import", args=["mini"]), {"file": upload})
    assert get_user_model().objects.get(username="han05").first_name == "한지우"
