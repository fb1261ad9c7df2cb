"""The page's autosave on a session whose browser holds its proof is one statement that
checks the session itself (quizzes.session_proofs), and answers exactly as the long way does,
also once the session has ended. The API's save and start are checked in test_api_save_fast.py
and test_api_start_fast.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import qtypes, session_proofs
from quizzes.models import Response

from .conftest import RIGHT, WRONG
from .test_api_save_fast import ENDED

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(started):
    return started


def _autosave(client, exam, sequence, answer):
    q1 = exam["q1"]
    shown = qtypes.get("single_choice").to_display(q1.version.data, q1.layout, answer)["choice"]
    with CaptureQueriesContext(connection) as queries:
        r = client.post(reverse("quizzes:autosave", args=[exam["attempt"].pk, q1.slot_id]),
                        {f"s{q1.slot_id}-choice": shown, f"s{q1.slot_id}-sequence": sequence},
                        HTTP_HX_REQUEST="true")
    return r, [q["sql"] for q in queries.captured_queries]


def _seen(r) -> tuple:
    """What a student's page gets: status, body (the save time is the request's own clock) and
    headers."""
    body = re.sub(rb"\d\d:\d\d:\d\d", b"T", r.content)
    return r.status_code, body, sorted(r.headers.items())


@pytest.fixture
def no_proofs(monkeypatch):
    def off():
        monkeypatch.setattr(session_proofs, "proof_for", lambda request: None)
    return off


def _reset(exam):
    Response.objects.filter(pk=exam["q1"].pk).update(answer=None, sequence=0, saved_at=None)


def test_the_second_autosave_is_one_statement_and_the_same_reply(client, exam, no_proofs):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's")
    client.force_login(exam["student"])
    _autosave(client, exam, 0, RIGHT["m-q1"])
    fast, sql = _autosave(client, exam, 1, WRONG["m-q1"])
    assert fast.status_code == 200
    assert len(sql) == 1 and "quizzes_session_response_save(" in sql[0]
    assert Response.objects.get(pk=exam["q1"].pk).answer == WRONG["m-q1"]

    _reset(exam)
    no_proofs()
    _autosave(client, exam, 0, RIGHT["m-q1"])
    slow, sql = _autosave(client, exam, 1, WRONG["m-q1"])
    assert len(sql) > 1  # the session's row, then the save
    assert _seen(fast) == _seen(slow)


def test_a_stale_sequence_is_settled_the_long_way(client, exam, no_proofs):
    """A save the proof's statement did not write (another tab moved the sequence) is answered
    by the long way with the conflict, in as many statements as without the proof: the one
    it tried is not sent again."""
    client.force_login(exam["student"])
    _autosave(client, exam, 0, RIGHT["m-q1"])
    fast, fast_sql = _autosave(client, exam, 0, WRONG["m-q1"])
    assert fast.status_code == 409
    assert Response.objects.get(pk=exam["q1"].pk).answer == RIGHT["m-q1"]

    _reset(exam)
    no_proofs()
    _autosave(client, exam, 0, RIGHT["m-q1"])
    slow, slow_sql = _autosave(client, exam, 0, WRONG["m-q1"])
    assert _seen(fast) == _seen(slow) and len(fast_sql) == len(slow_sql)


@pytest.mark.parametrize("proofs", [True, False], ids=["with proofs", "without"])
@pytest.mark.parametrize("case", list(ENDED))
def test_an_ended_session_gets_the_long_ways_answer(client, exam, case, proofs, no_proofs):
    if not proofs:
        no_proofs()
    client.force_login(exam["student"])
    assert _autosave(client, exam, 0, RIGHT["m-q1"])[0].status_code == 200
    ENDED[case](client, exam)
    r, _sql = _autosave(client, exam, 1, WRONG["m-q1"])
    stored = Response.objects.get(pk=exam["q1"].pk)
    assert stored.sequence == 1 and stored.answer == RIGHT["m-q1"]
    assert r.status_code == 403
    if case != "unenrolled":
        # Not a redirect, which htmx would follow and put the login page in the status line:
        # a line that says so, with a link to log in again that leads back to the attempt.
        page = r.content.decode()
        assert 'class="error"' in page and "<form" not in page
        assert f'href="/accounts/login/?next=/attempts/{exam["attempt"].pk}/"' in page


def test_a_logged_out_page_without_htmx_is_sent_to_log_in(client, exam):
    """The same save from a browser without htmx (a plain form post) goes to the login page."""
    client.force_login(exam["student"])
    client.logout()
    q1 = exam["q1"]
    r = client.post(reverse("quizzes:autosave", args=[exam["attempt"].pk, q1.slot_id]),
                    {f"s{q1.slot_id}-sequence": "0"})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
