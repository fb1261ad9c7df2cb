"""A question file past QUESTION_IMPORT_MAX_BYTES is refused before it is read, on the import
page and in the API, as the demos' images are (config/uploads.py): at once when its declared
length says so, where the body passes the limit when it streams; a 413 that names the import's
limit (not the image's), in the request's language, and nothing is stored. The files were
streamed to disk whole before the views compared their size with the limit."""

import pytest

from quizzes.models import Question
from tests import streamed_upload

pytestmark = pytest.mark.django_db
PAGE, API = "/courses/mini/bank/import/", "/api/courses/mini/questions/import/"


def StreamedFile(size: int) -> streamed_upload.StreamedBody:  # noqa: N802 - reads as the class
    """A question file's upload: one `file` part, a GIFT file of spaces."""
    return streamed_upload.StreamedBody(size, fields={}, file_field="file", filename="big.gift",
                                        content_type="text/plain", fill=b" ")


def post_streamed(client, path, body: streamed_upload.StreamedBody, language="en"):
    return streamed_upload.post_streamed(client, path, body, HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def teaching(client, teacher):
    client.force_login(teacher)
    return client


def test_an_import_declared_past_the_limit_is_refused_unread_with_the_imports_limit(teaching):
    before = Question.objects.count()
    for path in (PAGE, API):
        body = StreamedFile(40 * 1024 * 1024)  # the default limit is 10 MB
        reply = post_streamed(teaching, path, body)
        assert reply.status_code == 413, reply.content[:300]
        assert body.read_bytes < 1024 * 1024, (path, body.read_bytes)
        text = reply.content.decode()
        assert "larger than 10.0 MB, the most a question import takes" in text, text[:500]
        assert "JPEG" not in text
    error = reply.json()["error"]
    assert error["code"] == "file_too_large" and list(error["fields"]) == ["file"]
    assert Question.objects.count() == before


def test_an_import_that_streams_past_the_limit_is_cut_off_there(teaching, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 100_000
    for path in (PAGE, API):
        body = StreamedFile(160_000)  # within the declared-length allowance, past the limit
        reply = post_streamed(teaching, path, body)
        assert reply.status_code == 413, reply.content[:300]
        assert body.read_bytes < body.size
        assert "larger than 0.1 MB" in reply.content.decode()


def test_the_import_pages_refusal_is_a_whole_page_in_the_requests_language(teaching, teacher):
    reply = post_streamed(teaching, PAGE, StreamedFile(40 * 1024 * 1024), language="ko")
    page = reply.content.decode()
    assert reply.status_code == 413
    assert "문항 가져오기 한도인 10.0 MB보다 큽니다" in page
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert teacher.username in page  # the header is the signed-in one
    english = post_streamed(teaching, API, StreamedFile(40 * 1024 * 1024))
    korean = post_streamed(teaching, API, StreamedFile(40 * 1024 * 1024), language="ko")
    assert english.json()["error"]["message"] != korean.json()["error"]["message"]
    assert "10.0 MB" in korean.json()["error"]["message"]
