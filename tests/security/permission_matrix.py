"""Who may do what: every route × every method it accepts × every role, written down once.

`test_permission_matrix.py` enumerates the URL configuration and fails when a route has no row
here, or a row names a route that does not exist. Each cell is an outcome class:

    ok         access granted: 2xx, a redirect that is not to the login page, or a 400 (allowed,
               but the minimal body was invalid)
    login      anonymous: a redirect to the login page (pages) or 401/403 (API)
    forbidden  403
    notfound   404
    method     405: the view does not accept this method
    refused    the page answers (2xx, or a redirect that is not to the login page) with an error
               message instead of a 403 — the action is not the user's to take, and the test
               checks that nothing changed in the database

Every cell that is not "ok" also checks that nothing changed in the database.

The roles (columns), in order: anon, outsider (logged in, enrolled nowhere), student (the course's
student, owner of the attempt, the demo job…), ta, other_instructor (instructor of another
course), instructor (the course's), staff (is_staff, not enrolled).
"""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

OK, LOGIN, FORBIDDEN, NOTFOUND, METHOD, REFUSED = (
    "ok", "login", "forbidden", "notfound", "method", "refused")
ROLES = ("anon", "outsider", "student", "ta", "other_instructor", "instructor", "staff")


def row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


#                      anon   outsider   student    ta         other_instr instructor staff
PUBLIC = row(OK, OK, OK, OK, OK, OK, OK)
ANY_USER = row(LOGIN, OK, OK, OK, OK, OK, OK)
# The course's members (any role) and staff.
ENROLLED = row(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, OK, OK)
# Those who teach the course: instructors, TAs, staff.
TEACHER = row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK, OK)
# The student's own object (attempt, demo job), which the course's teachers may also read.
OWNER_OR_TEACHER = row(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, OK, OK)
# Only the owner may change it; teachers get a 403.
OWNER = row(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
# Only the owner may change it; the page refuses teachers with a message (and a redirect).
OWNER_REFUSES_TEACHERS = row(LOGIN, FORBIDDEN, OK, REFUSED, FORBIDDEN, REFUSED, REFUSED)
# The course's instructors and staff, not its TAs (what the course's students are shown).
INSTRUCTOR = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
# An instructor of any course, or staff (the demo status board is site-wide).
ANY_INSTRUCTOR = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
# A POST-only page asked with GET: login_required answers first, then require_POST.
POST_ONLY = row(LOGIN, METHOD, METHOD, METHOD, METHOD, METHOD, METHOD)
# Logging out sends everyone to the login page.
TO_LOGIN = row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)
NO_METHOD = row(METHOD, METHOD, METHOD, METHOD, METHOD, METHOD, METHOD)

# Routes that the completeness check leaves out (Django's own, not the application's).
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/")

# url name -> {method: {role: outcome}}.
MATRIX: dict[str, dict[str, dict[str, str]]] = {
    # --- accounts (Django's views) -------------------------------------------------------------
    "login": {"GET": PUBLIC, "POST": PUBLIC},  # logged in: redirected to the course list
    "logout": {"POST": TO_LOGIN, "GET": NO_METHOD},
    # --- API schema and docs: generated from the code, no data in them -------------------------
    "api-schema": {"GET": PUBLIC},
    "api-docs": {"GET": PUBLIC},
    # --- health probes for the load balancer: no data, no writes -------------------------------
    "health-live": {"GET": PUBLIC, "POST": NO_METHOD},
    "health-ready": {"GET": PUBLIC, "POST": NO_METHOD},
    # --- courses -------------------------------------------------------------------------------
    "courses:list": {"GET": ANY_USER},
    "courses:detail": {"GET": ENROLLED},
    "courses:lesson": {"GET": ENROLLED},
    "courses:lesson-read": {"POST": ENROLLED, "GET": POST_ONLY},
    # Enrolments: the course's instructors and staff, not its TAs.
    "courses:participants": {"GET": INSTRUCTOR},
    "courses:participants-import": {"POST": INSTRUCTOR, "GET": POST_ONLY},
    "courses:participant-role": {"POST": INSTRUCTOR, "GET": POST_ONLY},
    "courses:participant-remove": {"POST": INSTRUCTOR, "GET": POST_ONLY},
    # --- quizzes: students ---------------------------------------------------------------------
    "quizzes:quiz": {"GET": ENROLLED},
    "quizzes:start": {"POST": ENROLLED, "GET": POST_ONLY},
    "quizzes:gradebook": {"GET": ENROLLED},  # a student sees only their own row
    "quizzes:grade-override": {"POST": TEACHER, "GET": POST_ONLY},
    "quizzes:attempt": {"GET": OWNER_OR_TEACHER},
    "quizzes:autosave": {"POST": OWNER, "GET": POST_ONLY},
    "quizzes:flag": {"POST": OWNER_REFUSES_TEACHERS, "GET": POST_ONLY},
    "quizzes:page": {"POST": OWNER_REFUSES_TEACHERS, "GET": POST_ONLY},
    "quizzes:summary": {"GET": OWNER_REFUSES_TEACHERS, "POST": OWNER_REFUSES_TEACHERS},
    "quizzes:submit": {"POST": OWNER_REFUSES_TEACHERS, "GET": POST_ONLY},
    "quizzes:review": {"GET": OWNER_OR_TEACHER},
    "quizzes:dispute": {"POST": OWNER_REFUSES_TEACHERS, "GET": POST_ONLY},
    # --- quizzes: teachers ---------------------------------------------------------------------
    "quizzes:results": {"GET": TEACHER},
    "quizzes:dispute-answer": {"POST": TEACHER, "GET": POST_ONLY},
    "quizzes:override": {"POST": TEACHER, "GET": POST_ONLY},
    "quizzes:override-delete": {"POST": TEACHER, "GET": POST_ONLY},
    "quizzes:question-edit": {"GET": TEACHER, "POST": TEACHER},
    "quizzes:regrade": {"GET": TEACHER, "POST": TEACHER},
    "quizzes:grading": {"GET": TEACHER, "POST": TEACHER},
    # --- question bank and quiz builder (authoring): teachers ----------------------------------
    "bank:index": {"GET": TEACHER},
    "bank:question-new": {"GET": TEACHER, "POST": TEACHER},
    "bank:question-preview": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:questions-move": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:question-edit": {"GET": TEACHER, "POST": TEACHER},
    "bank:question-delete": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:categories": {"GET": TEACHER, "POST": TEACHER},
    "bank:category-update": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:tag-rename": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:import": {"GET": TEACHER, "POST": TEACHER},
    "bank:export": {"GET": TEACHER},
    "bank:quizzes": {"GET": TEACHER, "POST": TEACHER},
    "bank:quiz-builder": {"GET": TEACHER},
    "bank:quiz-settings": {"GET": TEACHER, "POST": TEACHER},
    "bank:quiz-duplicate": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:quiz-publish": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slots-add": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slots-random": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slots-reorder": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slot-move": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slot-remove": {"POST": TEACHER, "GET": POST_ONLY},
    "bank:slot-mark": {"POST": TEACHER, "GET": POST_ONLY},
    # A file in a question: teachers, and a student who was given that question version.
    "bank:question-file": {"GET": OWNER_OR_TEACHER},
    # --- demos ---------------------------------------------------------------------------------
    "inference:index": {"GET": ANY_USER},
    "inference:create": {"POST": ANY_USER, "GET": POST_ONLY},
    "inference:job": {"GET": OWNER_OR_TEACHER},
    "inference:file": {"GET": OWNER_OR_TEACHER},
    "inference:download": {"GET": OWNER_OR_TEACHER},
    "inference:cancel": {"POST": OWNER, "GET": POST_ONLY},
    # Hiding a result from the class gallery is for the course's teachers, not its owner.
    "inference:hide": {"POST": TEACHER, "GET": POST_ONLY},
    "inference:status": {"GET": ANY_INSTRUCTOR},
    # Retraining the fake detector: it serves the whole site, so like the status board.
    "inference:training": {"GET": ANY_INSTRUCTOR, "POST": ANY_INSTRUCTOR},
    "inference:training-run": {"GET": ANY_INSTRUCTOR},
    "inference:training-cancel": {"POST": ANY_INSTRUCTOR, "GET": POST_ONLY},
    "inference:training-activate": {"POST": ANY_INSTRUCTOR, "GET": POST_ONLY},
    "inference:training-shipped": {"POST": ANY_INSTRUCTOR, "GET": POST_ONLY},
    # Real photos for the course's spot-the-fake pool.
    "inference:pool-photos": {"GET": INSTRUCTOR, "POST": INSTRUCTOR},
    # Spot-the-fake images: any logged-in user; the random UUID is the capability.
    "inference:pool-image": {"GET": ANY_USER},
    # --- API (DRF: an anonymous request is a 403; every other method is a 405) -----------------
    "api-courses": {"GET": ANY_USER},  # the courses the user may see (none for an outsider)
    "api-quizzes": {"GET": ENROLLED},
    "api-quiz": {"GET": ENROLLED},
    "api-attempt-start": {"POST": ENROLLED},
    "api-grades": {"GET": ENROLLED},
    "api-attempt": {"GET": OWNER_OR_TEACHER},
    "api-response": {"PUT": OWNER},
    "api-attempt-submit": {"POST": OWNER},
    "api-dispute-create": {"POST": OWNER},
    "api-statistics": {"GET": TEACHER},
    "api-disputes": {"GET": TEACHER},
    "api-dispute-answer": {"POST": TEACHER},
    "api-regrade": {"GET": TEACHER, "POST": TEACHER},
    "api-grading": {"GET": TEACHER},
    "api-grading-answer": {"PUT": TEACHER},
    "api-questions": {"GET": TEACHER, "POST": TEACHER},
    "api-questions-import": {"POST": TEACHER},
    "api-questions-export": {"GET": TEACHER},
    "api-question-preview": {"POST": TEACHER},
    "api-demo-create": {"POST": ANY_USER},
    "api-demo-job": {"GET": OWNER_OR_TEACHER},
    "api-demo-cancel": {"POST": OWNER},
}

# Which real object fills each URL kwarg: a dotted path into the `world` fixture.
KWARGS = {
    "course_slug": "course.slug",
    "lesson_slug": "lesson.slug",
    "quiz_slug": "quiz.slug",
    "attempt_id": "attempt.pk",
    "slot_id": "slot.pk",
    "response_id": "response.pk",
    "question_id": "question.pk",
    "dispute_id": "dispute.pk",
    "category_id": "category.pk",
    "version_id": "question_file.version_id",
    "name": "question_file.name",
    "job_id": "job.pk",
    "image_id": "pool_image.pk",
    "run_id": "extra.training_run.pk",
    "override_id": "extra.quiz_override.pk",
    "enrollment_id": "extra.enrollment.pk",
}
# Where a route needs a different object for a kwarg than the default above.
KWARGS_BY_ROUTE = {
    # Disputes are about submitted answers (the essay quiz's attempt).
    "quizzes:dispute": {"attempt_id": "submitted_attempt.pk"},
    "quizzes:dispute-answer": {"quiz_slug": "essay_quiz.slug"},
    "api-dispute-answer": {"quiz_slug": "essay_quiz.slug"},
    "api-dispute-create": {"attempt_id": "submitted_attempt.pk", "slot_id": "response.slot_id"},
    "inference:file": {"name": "extra.job_file"},
    "quizzes:override-delete": {"quiz_slug": "essay_quiz.slug"},
    "quizzes:grading": {"quiz_slug": "essay_quiz.slug"},
    "api-grading": {"quiz_slug": "essay_quiz.slug"},
    "api-grading-answer": {"quiz_slug": "essay_quiz.slug"},
}


def _seq_field(w) -> dict:
    return {f"s{w.slot.pk}-sequence": "0"}


# Minimal request bodies (or GET query), by (route, method): a callable of the world.
BODIES = {
    ("login", "POST"): lambda w: {"username": "", "password": ""},
    ("quizzes:autosave", "POST"): _seq_field,
    ("quizzes:summary", "POST"): _seq_field,
    ("quizzes:flag", "POST"): lambda w: {**_seq_field(w), "flagged": "1"},
    ("quizzes:page", "POST"): lambda w: {**_seq_field(w), "goto": "1"},
    ("quizzes:dispute", "POST"): lambda w: {"comment": "키가 틀렸어요"},
    ("quizzes:dispute-answer", "POST"): lambda w: {"reply": "확인했습니다"},
    ("quizzes:regrade", "POST"): lambda w: {"reason": "access test"},
    ("quizzes:grading", "POST"): lambda w: {f"mark-{w.response.pk}": "0.5",
                                            f"comment-{w.response.pk}": "좋은 설명입니다"},
    ("courses:participants-import", "POST"): lambda w: {
        "roster": "newcomer,새 학생,new@example.org,student"},
    ("courses:participant-role", "POST"): lambda w: {"role": "ta"},
    ("quizzes:grade-override", "POST"): lambda w: {
        "grade-quiz": w.quiz.slug, "grade-username": "student1", "grade-grade": "80",
        "grade-reason": "access test"},
    ("quizzes:override", "POST"): lambda w: {"override-username": "student1",
                                             "override-attempts_allowed": "2"},
    ("quizzes:question-edit", "POST"): lambda w: {
        "stem": "수정", "data": json.dumps(w.question.latest_version().data)},
    ("bank:question-new", "POST"): lambda w: {"qtype": "true_false"},
    ("bank:question-preview", "POST"): lambda w: {"qtype": "true_false", "stem": "?"},
    ("bank:questions-move", "POST"): lambda w: {"category": str(w.category.pk),
                                                "question": [str(w.question.pk)]},
    ("bank:categories", "POST"): lambda w: {"name": "새 분류"},
    ("bank:category-update", "POST"): lambda w: {f"c{w.category.pk}-name": "바뀐 이름"},
    ("bank:tag-rename", "POST"): lambda w: {"old": "gan", "new": "GAN"},
    ("bank:export", "GET"): lambda w: {"format": "gift"},
    ("bank:quizzes", "POST"): lambda w: {"title": "새 퀴즈", "slug": "new-quiz", "week": "1"},
    ("bank:quiz-publish", "POST"): lambda w: {"published": "0"},
    ("bank:slots-random", "POST"): lambda w: {"category": str(w.category.pk), "count": "1"},
    ("bank:slots-reorder", "POST"): lambda w: {"order": ",".join(
        str(pk) for pk in w.quiz.slots.order_by("-position").values_list("pk", flat=True))},
    ("bank:slot-move", "POST"): lambda w: {"direction": "down"},
    ("bank:slot-mark", "POST"): lambda w: {"mark": "2"},
    ("inference:create", "POST"): lambda w: {"kind": "face-generate", "seed": "7"},
    # API (JSON)
    ("api-dispute-answer", "POST"): lambda w: {"reply": "확인했습니다", "accept": False},
    ("api-regrade", "POST"): lambda w: {"reason": "access test"},
    ("api-grading-answer", "PUT"): lambda w: {"mark": 0.5, "comment": "좋은 설명입니다"},
    ("api-questions", "POST"): lambda w: {"name": "x", "category": "Access/Test",
                                          "qtype": "true_false", "stem": "?",
                                          "data": {"correct": True}},
    ("api-response", "PUT"): lambda w: {"answer": None, "sequence": 0},
    ("api-dispute-create", "POST"): lambda w: {"comment": "키가 틀렸어요"},
    ("api-questions-import", "POST"): lambda w: {"file": SimpleUploadedFile(
        "access.gift", "::access-q:: 접근 시험 {T}".encode())},
    ("api-questions-export", "GET"): lambda w: {"format": "gift"},
    ("api-question-preview", "POST"): lambda w: {"qtype": "true_false", "stem": "?",
                                                 "data": {"correct": True}},
    ("api-demo-create", "POST"): lambda w: {"kind": "face-generate", "params": {"seed": 7}},
}
