"""With the message broker down, quizzes start, save and submit; the demo pages say so."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import REPO, _database_url_for_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_without_broker(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": _database_url_for_worker(), "DEBUG": "1",
           # Nothing listens on port 1: every broker connection is refused at once.
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
           "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/0"}
    proc = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                             f"127.0.0.1:{port}"], cwd=REPO, env=env,
                            stdout=open(tmp_path / "server.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/accounts/login/", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def login(client: httpx.Client, username: str, password: str) -> None:
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", data={
        "username": username, "password": password,
        "csrfmiddlewaretoken": client.cookies["csrftoken"]})
    assert response.status_code == 302
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]


def test_quiz_works_and_demos_say_unavailable(server_without_broker, mini_course, make_user,
                                              enrol):
    student = make_user("nobroker", password="pw-123456!")
    enrol(student, mini_course, "student")
    with httpx.Client(base_url=server_without_broker, timeout=30) as client:
        login(client, "nobroker", "pw-123456!")
        started = client.post("/api/courses/mini/quizzes/week01-quiz/attempts/")
        assert started.status_code == 201, started.text
        attempt = started.json()
        question = next(q for q in attempt["questions"] if q["qtype"] == "true_false")
        saved = client.put(f"/api/attempts/{attempt['id']}/responses/{question['slot_id']}/",
                           json={"answer": {"value": True}, "sequence": 0})
        assert saved.status_code == 200, saved.text
        submitted = client.post(f"/api/attempts/{attempt['id']}/submit/")
        assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
        page = client.get("/demos/").text
        assert re.search("temporarily unavailable|잠시 사용할 수 없습니다", page)
        job = client.post("/api/demos/jobs/", json={"kind": "face-generate",
                                                    "params": {"seed": 1}})
        assert job.status_code in (200, 202)
        status = client.get(f"/api/demos/jobs/{job.json()['id']}/").json()
        assert status["status"] == "failed"
        assert re.search("temporarily unavailable|잠시 사용할 수 없습니다", status["message"])


def test_readiness_fails_while_the_broker_is_down_and_liveness_does_not(server_without_broker):
    live = httpx.get(server_without_broker + "/health/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = httpx.get(server_without_broker + "/health/ready", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "broker": "failed"}
