"""One virtual student over HTTP: log in through the login page, start, save, submit.

Every request is timed from the moment the student wants it (waiting for a free pooled
connection included) to the last byte of the answer. A 5xx or a transport error is retried as
the quiz page's autosave does (static/js/quiz.js): the same request, up to six more times, 0.5 s
× n after the n-th failure (the save service accepts a retried save whose first try did
commit), so a restarting database pooler or cache is ridden out; every failed try counts as an
error.
"""

from __future__ import annotations

import asyncio
import random
import re
import time

from .common import PASSWORD, Client, HTTPError, HttpResponse, Recorder, set_cookies

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RETRIES = 7  # the first try and the page's six retries
RETRY_DELAY = 0.5  # seconds, times the number of failures so far


class StepFailed(Exception):
    pass


class Student:
    def __init__(self, client: Client, rec: Recorder, username: str):
        self.client, self.rec, self.username = client, rec, username
        self.cookies: dict[str, str] = {}
        self.attempt: dict | None = None
        self.sequence: dict[int, int] = {}
        self.acked: dict[int, tuple[object, int]] = {}  # slot -> (display answer, sequence)
        self.submitted: dict | None = None

    def _headers(self, api: bool = True) -> dict:
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if api:
            h["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            h["Accept"] = "application/json"
        return h

    async def _request(self, step: str, method: str, url: str, ok=(200,), **kw) -> HttpResponse:
        last = None
        for n in range(RETRIES):
            if n:
                await asyncio.sleep(RETRY_DELAY * n)
            started = time.perf_counter()
            try:
                response = await self.client.request(method, url, **kw)
            except HTTPError as exc:
                self.rec.add(step, started, (time.perf_counter() - started) * 1000, False,
                             str(exc).split(':')[0])
                last = exc
                continue
            ms = (time.perf_counter() - started) * 1000
            if response.status_code in ok:
                self.rec.add(step, started, ms, True)
                self.cookies.update(set_cookies(response))
                return response
            self.rec.add(step, started, ms, False, f"http {response.status_code}")
            if response.status_code < 500:
                raise StepFailed(f"{step}: {response.status_code} {response.text[:300]}")
            last = StepFailed(f"{step}: {response.status_code} {response.text[:300]}")
        raise StepFailed(f"{step}: gave up after {RETRIES} tries: {last}")

    async def login(self) -> None:
        page = await self._request("login_page", "GET", "/accounts/login/",
                                   headers=self._headers(api=False))
        m = _CSRF_INPUT.search(page.text)
        if not m:
            raise StepFailed("login_page: no csrf token in the form")
        await self._request("login", "POST", "/accounts/login/", ok=(302,),
                            headers=self._headers(api=False),
                            data={"username": self.username, "password": PASSWORD,
                                  "csrfmiddlewaretoken": m.group(1)})
        if "sessionid" not in self.cookies:
            raise StepFailed("login: no session cookie (wrong password?)")

    async def start(self, course: str, quiz: str) -> dict:
        r = await self._request("start", "POST", f"/api/courses/{course}/quizzes/{quiz}/attempts/",
                                ok=(200, 201), headers=self._headers())
        self.attempt = r.json()
        for q in self.attempt["questions"]:
            self.sequence[q["slot_id"]] = q["sequence"]
        return self.attempt

    async def save(self, slot_id: int, answer) -> None:
        r = await self._request(
            "save", "PUT", f"/api/attempts/{self.attempt['id']}/responses/{slot_id}/",
            headers=self._headers(), json={"answer": answer, "sequence": self.sequence[slot_id]})
        body = r.json()
        if body.get("conflict"):
            raise StepFailed(f"save: unexpected conflict {body}")
        self.sequence[slot_id] = body["sequence"]
        # The acknowledged answer is what the server says it stored (display values).
        self.acked[slot_id] = (body["answer"], body["sequence"])

    async def save_to_floor(self, floor: str, slot_id: int, answer) -> None:
        """The save's request, sent to one of the ceiling's floors (`request_cpu.FLOORS`,
        config/bench_views.py), recorded as that step: nothing is acknowledged, the sequence
        does not move."""
        await self._request(
            floor, "PUT", f"/bench/{floor}/{self.attempt['id']}/{slot_id}/",
            headers=self._headers(), json={"answer": answer, "sequence": self.sequence[slot_id]})

    async def submit(self) -> dict:
        r = await self._request("submit", "POST", f"/api/attempts/{self.attempt['id']}/submit/",
                                headers=self._headers())
        self.submitted = r.json()
        return self.submitted


def make_answer(question: dict, rng: random.Random):
    """A plausible answer in display values, from what the student sees (`view`)."""
    qtype, view = question["qtype"], question["view"]
    if qtype == "single_choice":
        return {"choice": rng.choice(view["choices"])["value"]}
    if qtype == "multiple_response":
        values = [c["value"] for c in view["choices"]]
        return {"choices": sorted(rng.sample(values, rng.randint(1, len(values))))}
    if qtype == "true_false":
        return {"value": rng.random() < 0.7}
    if qtype == "short_answer":
        return {"text": rng.choice(["생성자", "generator", "판별자", "잘 모르겠음"])}
    if qtype == "numerical":
        return {"text": rng.choice(["200", "100", "200.0", "2e2"])}
    if qtype == "matching":
        answers = [a["value"] for a in view["answers"]]
        return {"matches": {p["value"]: rng.choice(answers) for p in view["prompts"]}}
    if qtype == "select_missing_words":
        return {"gaps": {str(seg["gap"]): rng.choice(seg["options"])["value"]
                         for seg in view["segments"] if "gap" in seg}}
    return None
