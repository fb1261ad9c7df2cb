"""The exam: one course, a 10-question quiz of mixed auto-graded types (made through the quiz
services), and N enrolled students. Runs in the bench process after `setup_django`.

Where the project has `manage.py prepare_attempts COURSE QUIZ` (attempts built ahead of the
exam, so that a start only hands one out), the fixture runs it once the students are enrolled,
as an instructor would before the exam opens; `BENCH_PREPARE_ATTEMPTS=0` measures starts that
build their attempt on the spot.
"""

from __future__ import annotations

import os

COURSE = "bench-course"
QUIZ = "exam"

QUESTIONS = [
    ("single_choice", "GAN의 두 네트워크 중 진짜와 가짜를 가리는 것은?",
     {"choices": [{"text": "판별자", "fraction": 1}, {"text": "생성자", "fraction": 0},
                  {"text": "인코더", "fraction": 0}, {"text": "디코더", "fraction": 0}]}),
    ("multiple_response", "생성 모델을 모두 고르시오.",
     {"choices": [{"text": "GAN", "fraction": 0.5}, {"text": "VAE", "fraction": 0.5},
                  {"text": "SVM", "fraction": -0.5}, {"text": "k-means", "fraction": -0.5}]}),
    ("true_false", "확산 모델은 노이즈를 점점 제거하며 이미지를 만든다.", {"correct": True}),
    ("short_answer", "GAN에서 가짜를 만드는 네트워크의 이름은?",
     {"answers": [{"text": "생성자", "fraction": 1}, {"text": "generator", "fraction": 1}]}),
    ("numerical", "DCGAN 잠재 벡터가 100차원일 때 잠재 벡터 두 개의 차원 합은?",
     {"answers": [{"value": 200, "tolerance": 0, "fraction": 1}]}),
    ("matching", "모델과 용도를 짝지으시오.",
     {"pairs": [{"prompt": "DCGAN", "answer": "얼굴 생성"},
                {"prompt": "CNN 분류기", "answer": "가짜 탐지"},
                {"prompt": "인코더-디코더", "answer": "이미지 캡션"},
                {"prompt": "", "answer": "음성 인식"}]}),
    ("select_missing_words", "빈칸을 채우시오.",
     {"text": "GAN은 [[1]]와 [[2]]가 경쟁하며 학습한다.",
      "options": [{"text": "생성자", "group": 1}, {"text": "판별자", "group": 1},
                  {"text": "인코더", "group": 1}]}),
    ("single_choice", "Transformer의 핵심 연산은?",
     {"choices": [{"text": "어텐션", "fraction": 1}, {"text": "합성곱", "fraction": 0},
                  {"text": "풀링", "fraction": 0}]}),
    ("true_false", "VAE는 판별자를 쓴다.", {"correct": False}),
    ("multiple_response", "이미지 생성에 쓰이는 모델을 모두 고르시오.",
     {"choices": [{"text": "Stable Diffusion", "fraction": 0.5},
                  {"text": "StyleGAN", "fraction": 0.5}, {"text": "BERT", "fraction": -1}]}),
]


def create_exam(n_students: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from courses.models import Course, Enrollment
    from quizzes import services
    from quizzes.models import Quiz, Slot

    User = get_user_model()
    course = Course.objects.create(slug=COURSE, title="생성형 인공지능 입문 (bench)")
    category = services.category_get_or_create_path(course=course, path=("Bench", "Exam"))
    quiz = Quiz.objects.create(course=course, slug=QUIZ, title="Exam storm", kind="midterm",
                               time_limit=0, attempts_allowed=1)
    for i, (qtype, stem, data) in enumerate(QUESTIONS):
        question = services.question_create(course=course, category=category, name=f"q{i + 1}",
                                            qtype=qtype, stem=stem, data=data,
                                            key=f"bench-q{i + 1}")
        Slot.objects.create(quiz=quiz, position=i + 1, question=question)
    from .common import PASSWORD

    # One hash for everyone (same password; BENCH_FAST_PASSWORDS makes it MD5 on both sides).
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"s{i:05d}", password=hashed) for i in range(n_students)],
        batch_size=1000)
    Enrollment.objects.bulk_create(
        [Enrollment(user=u, course=course, role=Enrollment.Role.STUDENT) for u in users],
        batch_size=1000)
    prepared = prepare_attempts(COURSE, QUIZ)
    return {"course": COURSE, "quiz": QUIZ, "usernames": [u.username for u in users],
            "prepared_attempts": prepared}


def prepare_attempts(course: str, quiz: str) -> bool:
    """Run `prepare_attempts` if this code base has it and BENCH_PREPARE_ATTEMPTS is not 0;
    whether it ran."""
    from django.core.management import call_command, get_commands

    if os.environ.get("BENCH_PREPARE_ATTEMPTS", "1") == "0" \
            or "prepare_attempts" not in get_commands():
        return False
    call_command("prepare_attempts", course, quiz, verbosity=0)
    return True
