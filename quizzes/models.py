"""Question bank, quizzes, attempts and responses.

A question's content lives in immutable `QuestionVersion`s; a fix creates a new version and an
attempt keeps the version it was given (until an instructor regrades it onto the new one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lesson, Module

from . import limits


def _between(field: str, low, high, name: str) -> models.CheckConstraint:
    """A CHECK that `field` lies in [low, high] (NaN fails it too), so no path that skips the
    application's checks can store a value that breaks the pages reading it."""
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}),
                                  name=name)


class Category(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="question_categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    name = models.CharField(max_length=limits.CATEGORY_NAME_MAX)
    info = models.TextField(blank=True)
    # Moodle's format of `info` (html, markdown, plain, moodle) and the category's idnumber,
    # kept so that an export carries them again.
    info_format = models.CharField(max_length=16, default="plain", blank=True)
    idnumber = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["course", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "parent", "name"],
                                               name="unique_category_name_in_parent")]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "/".join(reversed(names))


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    # A stable identifier: the pack's `key` or Moodle's idnumber; reloads update, never duplicate.
    key = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=255)
    tags = models.JSONField(default=list, blank=True)
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], condition=~Q(key=""),
                                               name="unique_question_key")]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> QuestionVersion:
        return self.versions.order_by("-number").first()


class QuestionVersion(models.Model):
    """Immutable content of a question; never updated after creation."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    qtype = models.CharField(max_length=40)
    stem = models.TextField()
    text_format = models.CharField(max_length=16, default="markdown")
    data = models.JSONField(default=dict)
    general_feedback = models.TextField(blank=True)
    default_mark = models.DecimalField(max_digits=7, decimal_places=3, default=1)
    # Moodle settings this platform does not act on but exports again (penalty, hidden,
    # combined feedback, hints, essay and display options…); see docs/moodle-import.md.
    extras = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    change_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"],
                                               name="unique_version_number"),
                       _between("default_mark", 0, limits.MARK_MAX, "version_mark_in_range")]

    def __str__(self) -> str:
        return f"{self.question.name} v{self.number}"

    def content_tuple(self) -> tuple:
        """What makes two versions the same question (used to skip no-op reloads)."""
        return (self.qtype, self.stem, self.text_format, self.data, self.general_feedback,
                float(self.default_mark))


class QuestionFile(models.Model):
    """A file embedded in an imported question (Moodle's @@PLUGINFILE@@)."""

    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=limits.FILE_NAME_MAX)
    content = models.BinaryField()
    content_type = models.CharField(max_length=100, default="application/octet-stream")


REVIEW_WINDOWS = ("during", "immediately", "open", "closed")
REVIEW_ITEMS = ("attempt", "correctness", "marks", "specific_feedback", "general_feedback",
                "right_answer")


def default_review_policy() -> dict:
    everything = list(REVIEW_ITEMS)
    return {"during": [], "immediately": everything, "open": everything, "closed": everything}


class Quiz(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly quiz")
        MIDTERM = "midterm", _("Midterm")
        PRACTICE = "practice", _("Practice")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest grade")
        AVERAGE = "average", _("Average grade")
        FIRST = "first", _("First attempt")
        LAST = "last", _("Last attempt")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="quizzes")
    week = models.PositiveIntegerField(default=0, help_text=_("Week it belongs to"))
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WEEKLY)
    published = models.BooleanField(default=True)
    open_at = models.DateTimeField(null=True, blank=True)
    close_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.PositiveIntegerField(default=0, help_text=_("Seconds; 0 = no limit"))
    grace_period = models.PositiveIntegerField(default=60, help_text=_(
        "Seconds after the time limit in which a last save or submit is still accepted"))
    attempts_allowed = models.PositiveIntegerField(default=0, help_text=_("0 = unlimited"))
    grading_method = models.CharField(max_length=16, choices=GradingMethod.choices,
                                      default=GradingMethod.HIGHEST)
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=True)
    # How the attempt page shows the questions: 0 = all on one page, 1 = one per page.
    questions_per_page = models.PositiveSmallIntegerField(default=0, help_text=_(
        "0 = all questions on one page, 1 = one question per page"))
    review_policy = models.JSONField(default=default_review_policy)
    max_grade = models.DecimalField(max_digits=7, decimal_places=2, default=10)
    # Its weight in the gradebook's average (a weighted mean of the graded quizzes).
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "week", "slug"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="unique_quiz_slug"),
            _between("week", 0, limits.WEEK_MAX, "quiz_week_in_range"),
            _between("time_limit", 0, limits.TIME_LIMIT_MAX, "quiz_time_limit_in_range"),
            _between("grace_period", 0, limits.GRACE_PERIOD_MAX, "quiz_grace_period_in_range"),
            _between("attempts_allowed", 0, limits.ATTEMPTS_ALLOWED_MAX,
                     "quiz_attempts_allowed_in_range"),
            _between("max_grade", limits.MAX_GRADE_MIN, limits.MAX_GRADE_MAX,
                     "quiz_max_grade_in_range"),
            _between("weight", 0, limits.WEIGHT_MAX, "quiz_weight_in_range"),
            _between("questions_per_page", 0, 1, "quiz_questions_per_page_in_range"),
        ]

    def __str__(self) -> str:
        return self.title


class Slot(models.Model):
    class Kind(models.TextChoices):
        LATEST = "latest", _("Always the latest version")
        PINNED = "pinned", _("A pinned version")
        RANDOM = "random", _("Random from a category")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LATEST)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="slots")
    version = models.ForeignKey(QuestionVersion, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    include_subcategories = models.BooleanField(default=False)
    mark = models.DecimalField(max_digits=7, decimal_places=3, default=1)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"],
                                               name="unique_slot_position"),
                       _between("mark", 0, limits.MARK_MAX, "slot_mark_in_range")]


class VisibleAttemptManager(models.Manager):
    """Attempts a student has started: every page, grade, statistic, API and count reads these.
    A prepared attempt (built ahead of the opening, quizzes.attempt_build) is not one yet."""

    def get_queryset(self):
        return super().get_queryset().exclude(state=Attempt.State.PREPARED)


class PreparedAttemptManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(state=Attempt.State.PREPARED)


class Attempt(models.Model):
    class State(models.TextChoices):
        # Built ahead (questions drawn, shuffled, images drawn) and waiting for its student's
        # start, which only stamps the start time and the deadline (quizzes.attempt_build).
        PREPARED = "prepared", _("Prepared")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="quiz_attempts")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    layout_seed = models.BigIntegerField()
    started_at = models.DateTimeField()  # a prepared attempt: when it was built
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    # Sum of response marks; None while any essay awaits a human grader.
    score = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    max_score = models.DecimalField(max_digits=9, decimal_places=4, default=0)
    # A prepared attempt's questions as the start's reply shows them (quizzes.selectors.
    # question_payloads), rendered when it was built so that the start only stamps the time;
    # the start hands them over, and the submit clears the column (in the row it writes
    # anyway: clearing it at the start made the claim's statement costlier to plan).
    prepared_questions = models.JSONField(null=True, blank=True, editable=False)

    # The default manager (the first) hides prepared attempts; the builder uses the other two.
    objects = VisibleAttemptManager()
    prepared = PreparedAttemptManager()
    all_states = models.Manager()

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"],
                                    name="unique_attempt_number"),
            # At most one open attempt per student and quiz: two simultaneous "start"s converge.
            models.UniqueConstraint(fields=["quiz", "user"], condition=Q(state="in_progress"),
                                    name="one_open_attempt"),
            # At most one prepared attempt per student and quiz (numbered 0 until its start
            # gives it the next number, so it never takes a started attempt's number).
            models.UniqueConstraint(fields=["quiz", "user"], condition=Q(state="prepared"),
                                    name="one_prepared_attempt"),
        ]
        indexes = [models.Index(fields=["quiz", "state"])]

    def __str__(self) -> str:
        return f"{self.user} #{self.number} on {self.quiz}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return float(self.score) / float(self.max_score) * 100


class Response(models.Model):
    """One question in one attempt: the version given, the student's answer and its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="responses")
    position = models.PositiveIntegerField(help_text=_("Display order in this attempt"))
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="responses")
    layout = models.JSONField(default=dict)
    # Per-attempt question data for types drawn at start (spot_the_fake: the images shown);
    # None means the version's own data.
    instance = models.JSONField(null=True, blank=True)
    answer = models.JSONField(null=True, blank=True)
    # Each save carries a higher sequence number; a stale save (lower or equal) is refused.
    sequence = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    # "Flag for later": the student's own marker while answering. Stored apart from the answer
    # (its own update, never touching `sequence`) and never graded.
    flagged = models.BooleanField(default=False)
    max_mark = models.DecimalField(max_digits=7, decimal_places=3, default=1)
    fraction = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=20, default="unanswered")
    feedback = models.JSONField(default=list, blank=True)
    manual_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"],
                                               name="one_response_per_slot"),
                       _between("max_mark", 0, limits.MARK_MAX, "response_max_mark_in_range")]

    @property
    def mark(self) -> float | None:
        return None if self.fraction is None else self.fraction * float(self.max_mark)

    @property
    def question_data(self) -> dict:
        """The data this response is answered and graded against."""
        return self.instance if self.instance is not None else self.version.data


class RegradeLog(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="regrades")
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL, related_name="+")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    run_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=list)


class Dispute(models.Model):
    """A student's flag on a question of their attempt, resolved by a teacher."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted: the key was fixed and attempts regraded")
        ANSWERED = "answered", _("Answered")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="disputes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="disputes")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="disputes")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="disputes")
    comment = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]



class QuizOverride(models.Model):
    """One student's own close date, time limit or number of attempts for a quiz (Moodle's user
    override). A field left empty (None) keeps the quiz's setting."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="quiz_overrides")
    close_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.PositiveIntegerField(null=True, blank=True,
                                             help_text=_("Seconds; 0 = no limit"))
    attempts_allowed = models.PositiveIntegerField(null=True, blank=True,
                                                   help_text=_("0 = unlimited"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quiz", "user"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user"], name="one_override_per_student"),
            # NULL passes a CHECK: an empty field means "the quiz's setting".
            _between("time_limit", 0, limits.TIME_LIMIT_MAX, "override_time_limit_in_range"),
            _between("attempts_allowed", 0, limits.ATTEMPTS_ALLOWED_MAX,
                     "override_attempts_allowed_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz}"


class GradeOverride(models.Model):
    """A teacher's grade for one student on one quiz, in place of the one computed from the
    attempts, with the reason. Rows are never changed: the newest one holds, the older ones are
    the history; a row without a grade gives the computed grade back."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="grade_overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="grade_overrides")
    grade = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                help_text=_("Percent; empty: the computed grade holds again"))
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quiz", "user", "-at", "-pk"]
        indexes = [models.Index(fields=["quiz", "user", "-at"])]
        constraints = [_between("grade", 0, limits.GRADE_OVERRIDE_MAX,
                                "grade_override_in_range")]
