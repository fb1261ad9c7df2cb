"""An autosave whose reply is lost is sent again by the page and stored exactly once."""

import re

import pytest

pytestmark = pytest.mark.e2e


def test_lost_reply_after_commit_is_retried_and_stored_once(page_for, accounts):
    from quizzes.models import Response

    page = page_for("student", "student-pass")
    page.goto("/courses/genai-intro/quizzes/week06-quiz/")
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    calls = []

    def lose_first_reply(route):
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fetch()  # the server stores the answer ...
            route.fulfill(status=502, body="bad gateway")  # ... but the page never hears it
        else:
            route.continue_()

    page.route(re.compile(r"/attempts/\d+/save/\d+/$"), lose_first_reply)
    question = page.locator("section.question").first
    question.locator("input[type=radio]").first.check()
    question.locator(".save-status:has-text('저장됨')").wait_for(timeout=20_000)
    assert len(calls) == 2
    saved = Response.objects.filter(answer__isnull=False)
    assert saved.count() == 1 and saved.get().sequence == 1  # one write, not two
