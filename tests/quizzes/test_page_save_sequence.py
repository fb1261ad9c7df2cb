"""The page's saves (the htmx autosave and the no-JavaScript form) take the sequence from a form
field a student can edit: one that no save can carry (not a whole number, negative, or beyond the
32-bit column) is refused as a malformed save, writes nothing, and is never a server error. Any
odd value in a question's own fields is never a server error either."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes import qtypes, session_proofs
from quizzes.limits import SEQUENCE_MAX
from quizzes.models import Response

from .conftest import RIGHT

pytestmark = pytest.mark.django_db


def _shown(q1):
    return qtypes.get("single_choice").to_display(q1.version.data, q1.layout,
                                                  RIGHT["m-q1"])["choice"]


@pytest.mark.parametrize("proofs", [True, False], ids=["with proof", "without proof"])
@pytest.mark.parametrize("sequence", [str(SEQUENCE_MAX + 1), str(2**31), str(2**63), "-1",
                                      str(-2**31 - 1), "1.5", "x"])
def test_an_autosave_with_a_sequence_no_save_can_carry_is_refused(started, sequence, proofs,
                                                                  monkeypatch):
    if not proofs:
        monkeypatch.setattr(session_proofs, "proof_for", lambda request: None)
    client = Client(raise_request_exception=False)
    client.force_login(started["student"])
    q1 = started["q1"]
    url = reverse("quizzes:autosave", args=[started["attempt"].pk, q1.slot_id])
    # A first, ordinary save: the session now carries its proof.
    assert client.post(url, {f"s{q1.slot_id}-choice": _shown(q1), f"s{q1.slot_id}-sequence": 0},
                       HTTP_HX_REQUEST="true").status_code == 200
    r = client.post(url, {f"s{q1.slot_id}-choice": _shown(q1),
                          f"s{q1.slot_id}-sequence": sequence}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert "새로 고침하세요" in r.content.decode()  # reload the page
    assert Response.objects.get(pk=q1.pk).sequence == 1


def test_an_autosave_at_the_highest_sequence_is_settled_as_any_other(started):
    client = Client(raise_request_exception=False)
    client.force_login(started["student"])
    q1 = started["q1"]
    url = reverse("quizzes:autosave", args=[started["attempt"].pk, q1.slot_id])
    r = client.post(url, {f"s{q1.slot_id}-choice": _shown(q1),
                          f"s{q1.slot_id}-sequence": str(SEQUENCE_MAX)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 409  # not the sequence stored: a conflict, as for any stale page
    assert Response.objects.get(pk=q1.pk).sequence == 0


@pytest.mark.parametrize("sequence", [str(2**31), str(2**63), "-1", "x"])
def test_the_whole_form_with_a_malformed_sequence_names_the_question_and_saves_nothing(
        started, sequence):
    client = Client(raise_request_exception=False)
    client.force_login(started["student"])
    q1 = started["q1"]
    url = reverse("quizzes:summary", args=[started["attempt"].pk])
    r = client.post(url, {f"s{q1.slot_id}-choice": _shown(q1),
                          f"s{q1.slot_id}-sequence": sequence}, follow=True)
    assert r.status_code == 200, (r.status_code, r.content[:300])
    assert f"{q1.position}번 문항은 저장되지 않았습니다" in r.content.decode()
    assert Response.objects.get(pk=q1.pk).sequence == 0


FIELDS = {"m-q1": ["choice"], "m-q2": ["choices"], "m-q3": ["value"], "m-q4": ["text"],
          "m-q5": ["text"], "m-q6": ["match-1", "match-2", "match-0", "match-99", "match-x"],
          "m-q7": ["gap-1", "gap-2", "gap-0", "gap-x"]}
VALUES = ["", "0", "1", "2", "3", "-1", "99", "x", "1.5", "٣", " 1 ", "1" * 5000,
          ["1", "1"], ["1", "2", "3", "4"], ["x", "1"], "a" * 300000]


@pytest.mark.parametrize("key", list(FIELDS))
def test_odd_values_in_a_questions_fields_are_never_a_server_error(started, key, student):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    resp = started["attempt"].responses.get(version__question__key=key)
    url = reverse("quizzes:autosave", args=[started["attempt"].pk, resp.slot_id])
    bad = []
    for field in FIELDS[key]:
        for value in VALUES:
            Response.objects.filter(pk=resp.pk).update(answer=None, sequence=0)
            r = client.post(url, {f"s{resp.slot_id}-{field}": value,
                                  f"s{resp.slot_id}-sequence": "0"}, HTTP_HX_REQUEST="true")
            if r.status_code >= 500:
                bad.append((field, str(value)[:20], r.status_code))
    assert not bad, bad
