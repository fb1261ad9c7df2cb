"""The load balancer's probes: liveness without I/O, readiness from the database and broker."""

import pytest

pytestmark = pytest.mark.django_db


def test_ready_when_database_and_broker_answer(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_probes_need_no_login_and_take_no_writes(client):
    assert client.get("/health/live").status_code == 200
    assert client.post("/health/live").status_code == 405
    assert client.post("/health/ready").status_code == 405
