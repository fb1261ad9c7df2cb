"""Security headers: CSP on every page, secure cookies and HSTS in production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_every_page_has_a_csp_without_inline_scripts(client, make_user):
    client.force_login(make_user("h"))
    for url in ("/", "/accounts/login/", "/demos/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
            "script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_pages_contain_no_inline_script(client, make_user, mini_course, enrol):
    import re

    user = make_user("noinline")
    enrol(user, mini_course, "student")
    client.force_login(user)
    for url in ("/", "/courses/mini/", "/courses/mini/lessons/intro/",
                "/courses/mini/quizzes/week01-quiz/", "/demos/"):
        html = client.get(url).content.decode()
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs and not body.strip(), url
        assert not re.search(r"\son[a-z]+=\"", html), url


def test_production_response_headers(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/accounts/login/', secure=True)\n"
        "print(r.status_code, r['Strict-Transport-Security'], r['X-Content-Type-Options'],"
        " r['X-Frame-Options'], r.cookies['csrftoken']['secure'])\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="testserver",
               DJANGO_SETTINGS_MODULE="config.settings", STATIC_ROOT=str(tmp_path / "static"))
    # Production serves collected, hashed static files (as a deployment runs collectstatic).
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"],
                               cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stderr
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    status, *hsts, nosniff, frame, secure_cookie = out.stdout.strip().splitlines()[-1].split()
    hsts = " ".join(hsts)
    assert status == "200" and "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert nosniff == "nosniff" and frame == "DENY" and secure_cookie == "True"


def test_a_nul_in_any_page_form_is_a_400_and_nothing_is_stored(client, make_user, mini_course,
                                                                 enrol):
    from quizzes import services
    from quizzes.models import Dispute, Quiz

    user = make_user("nul")
    enrol(user, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    attempt = services.attempt_submit(attempt=services.attempt_start(user=user, quiz=quiz))
    response = attempt.responses.first()
    client.force_login(user)
    reply = client.post(f"/attempts/{attempt.pk}/responses/{response.pk}/dispute/",
                        {"comment": "a\x00b"})
    assert reply.status_code == 400 and "NUL" in reply.content.decode()
    assert not Dispute.objects.exists()
