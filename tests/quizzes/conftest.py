import pytest

from quizzes import attempt_runtime, services
from quizzes.models import Quiz


@pytest.fixture
def quiz(mini_course) -> Quiz:
    return Quiz.objects.get(course=mini_course, slug="week01-quiz")


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("stu")
    enrol(user, mini_course, "student")
    return user


@pytest.fixture
def started(student, quiz) -> dict:
    """The student's open attempt on the quiz and its first question ("m-q1"), the attempt's
    question shapes known to this process, as after its page was shown."""
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version__question").get(
        version__question__key="m-q1")
    attempt_runtime.response_shapes_for(attempt=attempt)
    return {"attempt": attempt, "q1": q1, "student": student}


@pytest.fixture
def teacher(make_user, mini_course, enrol):
    user = make_user("teach")
    enrol(user, mini_course, "instructor")
    return user


# Right answers of the mini pack's week-1 quiz, by question key, as stored responses (what was
# picked, by its text).
RIGHT = {
    "m-q1": {"choice": "생성자"},
    "m-q2": {"choices": ["GAN", "VAE"]},
    "m-q3": {"value": True},
    "m-q4": {"text": "판별자"},
    "m-q5": {"text": "32"},
    "m-q6": {"matches": {"BERT": "인코더", "GPT": "디코더"}},
    "m-q7": {"gaps": {"1": "생성자", "2": "판별자"}},
}
WRONG = {
    "m-q1": {"choice": "판별자"},
    "m-q2": {"choices": ["SVM"]},
    "m-q3": {"value": False},
    "m-q4": {"text": "생성자"},
    "m-q5": {"text": "28"},
    "m-q6": {"matches": {"BERT": "디코더", "GPT": "인코더"}},
    "m-q7": {"gaps": {"1": "판별자", "2": "생성자"}},
}


def answer_all(attempt, answers: dict):
    """Save `answers` (by question key) into the attempt through the service."""
    from quizzes.services import response_save

    for response in attempt.responses.select_related("version__question"):
        key = response.version.question.key
        if key in answers:
            response_save(attempt=attempt, slot_id=response.slot_id, answer=answers[key],
                          base_sequence=response.sequence)
