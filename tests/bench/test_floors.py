"""The ceiling's floors (config/bench_views.py): answered by their middleware only where the
benchmark's settings put it, each in the save's reply shape; the group writer tells every
waiter what became of its row, survives a failed batch and is started again if it died."""

import json
import threading

import pytest
from django.test import RequestFactory

from bench.request_cpu import FLOORS, kind_of
from config import bench_views


def _put(path: str, body) -> object:
    return RequestFactory().put(path, data=json.dumps(body) if not isinstance(body, bytes)
                                else body, content_type="application/json")


def _answered(request):
    return bench_views.FloorsWhereTheSaveIsAnswered(lambda _request: "went on")(request)


def test_the_benchmark_and_the_views_name_the_same_floors():
    assert set(FLOORS) == set(bench_views.FLOORS)
    for floor in FLOORS:
        assert kind_of("PUT", f"/bench/{floor}/12/34/") == floor
    assert kind_of("PUT", "/bench/answer-row/12/") == "other"


def test_floors_are_not_served_outside_the_benchmark(client, settings):
    assert not settings.BENCH_ENDPOINTS
    assert "config.bench_views.FloorsWhereTheSaveIsAnswered" not in settings.MIDDLEWARE
    for floor in FLOORS:
        response = client.put(f"/bench/{floor}/1/1/", data=json.dumps(
            {"answer": None, "sequence": 0}), content_type="application/json")
        assert response.status_code == 404, floor


def test_echo_answers_in_the_saves_shape_and_refuses_what_a_save_would_not_be():
    reply = _answered(_put("/bench/answer-echo/7/8/", {"answer": {"choice": "b"},
                                                       "sequence": 4}))
    assert reply.status_code == 200
    body = json.loads(reply.content)
    assert (body["sequence"], body["answer"], body["conflict"]) == (5, {"choice": "b"}, False)
    assert body["saved_at"]
    assert _answered(_put("/bench/answer-echo/7/8/", b"[1, 2")).status_code == 400
    assert _answered(_put("/bench/answer-echo/7/8/", {"answer": 1})).status_code == 400
    get = RequestFactory().get("/bench/answer-echo/7/8/")
    assert _answered(get).status_code == 405
    # Anything else goes on down the stack.
    assert _answered(_put("/bench/answer-nothing/7/8/", {})) == "went on"
    assert _answered(_put("/api/attempts/7/responses/8/", {})) == "went on"


@pytest.mark.django_db
def test_the_row_floor_answers_404_for_a_row_that_is_not_there():
    reply = _answered(_put("/bench/answer-row/999999/999999/", {"answer": 1, "sequence": 0}))
    assert reply.status_code == 404


def test_the_group_writer_tells_each_waiter_about_its_own_row(monkeypatch):
    batches = []

    def write_rows(keys):
        batches.append(keys)
        return {key for key in keys if key[0] % 2 == 0}

    monkeypatch.setattr(bench_views, "_write_rows", write_rows)
    writer = bench_views._GroupWriter()
    found = {}

    def save(attempt_id):
        found[attempt_id] = writer.write(attempt_id, 1)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert found == {n: n % 2 == 0 for n in range(1, 9)}
    assert sorted(key for batch in batches for key in batch) == [(n, 1) for n in range(1, 9)]


def test_a_failed_batch_reaches_its_waiters_and_the_writer_goes_on(monkeypatch):
    calls = []

    def write_rows(keys):
        calls.append(keys)
        if len(calls) == 1:
            raise ValueError("the database went away")
        return set(keys)

    monkeypatch.setattr(bench_views, "_write_rows", write_rows)
    writer = bench_views._GroupWriter()
    with pytest.raises(RuntimeError, match="failed") as raised:
        writer.write(1, 1)
    assert isinstance(raised.value.__cause__, ValueError)
    assert writer.write(2, 1) is True  # the same thread, still serving


def test_a_writer_that_died_is_started_again(monkeypatch):
    monkeypatch.setattr(bench_views, "_write_rows", lambda keys: set(keys))
    writer = bench_views._GroupWriter()
    assert writer.write(1, 1) is True
    first = writer._thread
    monkeypatch.setattr(first, "is_alive", lambda: False)  # as if it had died
    assert writer.write(2, 1) is True
    assert writer._thread is not first
