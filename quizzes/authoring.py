"""Every write of the instructor's authoring pages: questions, categories, tags, quiz building.

Each public function is keyword-only, typed and atomic, and raises `ApplicationError` with a
message an instructor can act on. Pages and the API call these; none of them writes on its own.
Questions are edited by adding immutable versions (`services.question_version_create`), so an
attempt keeps the version it was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from courses.models import Course

from . import bounds, limits, qtypes, services
from .attempt_build import attempts_prepared_discard, attempts_prepared_discard_on_commit
from .formats.common import default_name
from .models import (
    REVIEW_ITEMS,
    REVIEW_WINDOWS,
    Category,
    Question,
    QuestionVersion,
    Quiz,
    Slot,
)
from .qtypes._choices import duplicate_choice
from .question_files import question_files_store, version_files

TEXT_FORMATS = ("markdown", "html", "plain", "moodle")

# ----------------------------------------------------------------------------------------------
# Questions
# ----------------------------------------------------------------------------------------------


def _clean_tags(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())[:50]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _check_common(*, course: Course, category: Category, qtype: str, text_format: str,
                  default_mark: float, key: str, question: Question | None) -> None:
    if category.course_id != course.pk:
        raise ApplicationError(_("The category belongs to another course."),
                               code="invalid", fields={"category": [_("Choose a category.")]})
    if qtype not in qtypes.TYPES:
        raise ApplicationError(_("Unknown question type."), code="invalid",
                               fields={"qtype": [_("Choose a question type.")]})
    if text_format not in TEXT_FORMATS:
        raise ApplicationError(_("Unknown text format."), code="invalid",
                               fields={"text_format": [_("Choose a text format.")]})
    if qtype in qtypes.TYPES:
        services.question_mark_clean(qtype=qtype, default_mark=default_mark)
    key_max = Question._meta.get_field("key").max_length
    if len(key) > key_max:
        # The page's input stops at this length; a longer one (a script, an edited page)
        # would fail in the database.
        raise ApplicationError(
            _("An ID has at most %(max)s characters.") % {"max": key_max}, code="invalid",
            fields={"key": [_("Shorten the ID to %(max)s characters.") % {"max": key_max}]})
    if key:
        clash = Question.objects.filter(course=course, key=key)
        if question is not None:
            clash = clash.exclude(pk=question.pk)
        if clash.exists():
            raise ApplicationError(
                _("Another question of this course already has the ID %(key)s.") % {"key": key},
                code="invalid", fields={"key": [_("This ID is already used.")]})


_CHOICE_TYPES = ("single_choice", "multiple_response")


def question_validate(*, qtype: str, stem: str, data: dict) -> dict:
    """`services.question_data_validate`, plus the editor's own rules: no two identical
    choices, and a question text (except for the types whose text is their blanks)."""
    data = services.question_data_validate(qtype=qtype, data=data)
    duplicate = duplicate_choice(data) if qtype in _CHOICE_TYPES else None
    if duplicate is not None:
        raise ApplicationError(str(duplicate), code="invalid_question",
                               fields={duplicate.path or "data": [duplicate.message]})
    if not stem.strip() and qtype not in ("select_missing_words", "cloze"):
        raise ApplicationError(_("Write the question text."), code="invalid_question",
                               fields={"stem": [_("This field is required.")]})
    return data


def question_save(*, course: Course, question: Question | None = None, category: Category,
                  qtype: str, stem: str, data: dict, name: str = "",
                  text_format: str = "markdown", general_feedback: str = "",
                  default_mark: float = 1.0, tags: Iterable[str] = (), key: str = "",
                  user: AbstractBaseUser | None = None,
                  change_note: str = "") -> tuple[Question, bool]:
    """Create a question, or save an edit of `question`.

    An edit whose content differs from the latest version adds a new version (with the files
    of the previous one, so embedded images keep working); name, category, tags and key are
    updated in place. Returns (question, new_version_made).
    """
    stem = stem.replace("\r\n", "\n")
    general_feedback = general_feedback.replace("\r\n", "\n")
    key = key.strip()
    _check_common(course=course, category=category, qtype=qtype, text_format=text_format,
                  default_mark=default_mark, key=key, question=question)
    data = question_validate(qtype=qtype, stem=stem, data=data)
    name = (name.strip() or default_name(stem or data.get("text", "")))[:255]
    tags = _clean_tags(tags)
    mark = float(services.question_mark_clean(qtype=qtype, default_mark=default_mark))
    with transaction.atomic():
        if question is None:
            created = services.question_create(
                course=course, category=category, name=name, qtype=qtype, stem=stem, data=data,
                text_format=text_format, general_feedback=general_feedback, default_mark=mark,
                key=key, tags=tags, user=user)
            return created, True
        question = Question.objects.select_for_update().get(pk=question.pk)
        meta = {"name": name, "category": category, "tags": tags, "key": key}
        changed = [k for k, v in meta.items() if getattr(question, k) != v]
        for k in changed:
            setattr(question, k, meta[k])
        if changed:
            question.save(update_fields=changed)
        latest = question.latest_version()
        content = (qtype, stem, text_format, data, general_feedback, mark)
        if latest.content_tuple() == content:
            return question, False
        version = services.question_version_create(
            question=question, qtype=qtype, stem=stem, data=data, text_format=text_format,
            general_feedback=general_feedback, default_mark=mark, user=user,
            change_note=change_note[:255])
        question_files_store(version=version, files=version_files(latest))
        return question, True


def question_delete(*, question: Question) -> None:
    """Delete a question that no quiz uses and no attempt was given."""
    with transaction.atomic():
        if question.slots.exists():
            raise ApplicationError(_("A quiz uses this question; remove it from the quiz first."),
                                   code="question_in_use", status_code=409)
        # A prepared attempt (not started yet) that drew it is built again without it.
        attempts_prepared_discard(question_ids=[question.pk])
        if QuestionVersion.objects.filter(question=question, responses__isnull=False).exists():
            raise ApplicationError(_("Students have answered this question; it is kept."),
                                   code="question_in_use", status_code=409)
        question.delete()


def questions_move(*, course: Course, questions: Iterable[Question], category: Category) -> int:
    """Move questions to another category of the same course. Returns how many moved."""
    if category.course_id != course.pk:
        raise ApplicationError(_("The category belongs to another course."), code="invalid")
    ids = [q.pk for q in questions]
    with transaction.atomic():
        moved = Question.objects.filter(course=course, pk__in=ids).update(category=category)
        # An update sends no signal: the random slots' pools changed.
        attempts_prepared_discard_on_commit(random_in_course=course.pk)
        return moved


def tag_rename(*, course: Course, old: str, new: str = "") -> int:
    """Rename a tag on every question of the course (an empty `new` removes it)."""
    old = " ".join(old.split())
    new = " ".join(new.split())[:50]
    count = 0
    with transaction.atomic():
        for question in Question.objects.select_for_update().filter(course=course):
            if old not in (question.tags or []):
                continue
            tags = [new if t == old else t for t in question.tags]
            question.tags = _clean_tags(tags)
            question.save(update_fields=["tags"])
            count += 1
    return count


# ----------------------------------------------------------------------------------------------
# Categories
# ----------------------------------------------------------------------------------------------


def _check_category_name(course: Course, parent: Category | None, name: str,
                         exclude: Category | None = None) -> str:
    name = services.category_name_clean(name)[:200]
    if not name:
        raise ApplicationError(_("Give the category a name."), code="invalid",
                               fields={"name": [_("This field is required.")]})
    if "/" in name:
        raise ApplicationError(_("A category name cannot contain '/'."), code="invalid",
                               fields={"name": [_("Remove the '/'.")]})
    clash = Category.objects.filter(course=course, parent=parent, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ApplicationError(_("There is already a category %(name)s here.") % {"name": name},
                               code="invalid", fields={"name": [_("This name is taken here.")]})
    return name


def category_create(*, course: Course, name: str, parent: Category | None = None,
                    info: str = "") -> Category:
    if parent is not None and parent.course_id != course.pk:
        raise ApplicationError(_("The parent category belongs to another course."),
                               code="invalid")
    with transaction.atomic():
        name = _check_category_name(course, parent, name)
        return Category.objects.create(course=course, parent=parent, name=name, info=info)


def category_update(*, category: Category, name: str, parent: Category | None = None,
                    info: str | None = None) -> Category:
    """Rename or move a category (not under itself or its own subcategories)."""
    course = category.course
    if parent is not None:
        if parent.course_id != course.pk:
            raise ApplicationError(_("The parent category belongs to another course."),
                                   code="invalid")
        if parent.pk == category.pk or parent.pk in services._descendants(category.pk):
            raise ApplicationError(_("A category cannot be moved into itself or its own "
                                     "subcategories."), code="invalid",
                                   fields={"parent": [_("Choose another parent.")]})
    with transaction.atomic():
        category.name = _check_category_name(course, parent, name, exclude=category)
        category.parent = parent
        if info is not None:
            category.info = info
        category.save()
        return category


def category_delete(*, category: Category) -> None:
    """Delete an empty category (no questions, no subcategories, no random slot drawing from
    it)."""
    with transaction.atomic():
        if category.questions.exists() or category.children.exists():
            raise ApplicationError(_("Only an empty category can be deleted; move its questions "
                                     "and subcategories first."), code="category_not_empty",
                                   status_code=409)
        if Slot.objects.filter(category=category).exists():
            raise ApplicationError(_("A random question slot draws from this category."),
                                   code="category_in_use", status_code=409)
        category.delete()


# ----------------------------------------------------------------------------------------------
# Quizzes
# ----------------------------------------------------------------------------------------------


def _unique_slug(course: Course, wanted: str) -> str:
    base = (slugify(wanted) or "quiz")[:40].strip("-") or "quiz"
    slug, n = base, 2
    while Quiz.objects.filter(course=course, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def quiz_create(*, course: Course, title: str, slug: str = "", week: int = 0,
                kind: str = Quiz.Kind.WEEKLY) -> Quiz:
    """A new, unpublished quiz with no questions."""
    title = " ".join(title.split())[:200]
    if not title:
        raise ApplicationError(_("Give the quiz a title."), code="invalid",
                               fields={"title": [_("This field is required.")]})
    if kind not in Quiz.Kind.values:
        raise ApplicationError(_("Unknown quiz kind."), code="invalid")
    week = int(bounds.check_number(week, field="week", what=_("The week"), low=0,
                                   high=limits.WEEK_MAX))
    with transaction.atomic():
        if slug:
            if slugify(slug) != slug:
                raise ApplicationError(_("Use only letters, digits and hyphens in the address."),
                                       code="invalid", fields={"slug": [_("Invalid address.")]})
            if Quiz.objects.filter(course=course, slug=slug).exists():
                raise ApplicationError(_("Another quiz already has this address."),
                                       code="invalid", fields={"slug": [_("Already used.")]})
        else:
            slug = _unique_slug(course, title)
        return Quiz.objects.create(course=course, slug=slug, title=title, week=week, kind=kind,
                                   published=False,
                                   module=course.modules.filter(number=week).first())


SETTINGS_FIELDS = ("title", "title_en", "intro", "kind", "week", "open_at", "close_at",
                   "time_limit", "grace_period", "attempts_allowed", "grading_method",
                   "shuffle_questions", "shuffle_choices", "review_policy", "max_grade",
                   "questions_per_page")


def review_policy_clean(policy: dict) -> dict:
    """{window: [items]} with only known windows and items, items in REVIEW_ITEMS order."""
    if not isinstance(policy, dict):
        raise ApplicationError(_("The review options are malformed."), code="invalid")
    clean = {}
    for window in REVIEW_WINDOWS:
        items = policy.get(window) or []
        unknown = set(items) - set(REVIEW_ITEMS)
        if unknown:
            raise ApplicationError(_("Unknown review option: %(x)s") % {
                "x": ", ".join(sorted(unknown))}, code="invalid")
        clean[window] = [item for item in REVIEW_ITEMS if item in items]
    return clean


def quiz_update_settings(*, quiz: Quiz, title: str, title_en: str = "", intro: str = "",
                         kind: str = Quiz.Kind.WEEKLY, week: int = 0,
                         open_at: datetime | None = None, close_at: datetime | None = None,
                         time_limit: int = 0, grace_period: int = 60, attempts_allowed: int = 0,
                         grading_method: str = Quiz.GradingMethod.HIGHEST,
                         shuffle_questions: bool = False, shuffle_choices: bool = True,
                         review_policy: dict | None = None,
                         max_grade: float | Decimal = 10,
                         weight: float | Decimal | None = None,
                         questions_per_page: int = 0) -> Quiz:
    """Set every option of the quiz (times, limits, grading, shuffling, the review grid)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if open_at and close_at and close_at <= open_at:
        errors["close_at"] = [_("The quiz must close after it opens.")]
    for name, value, what in (("open_at", open_at, _("The opening date")),
                              ("close_at", close_at, _("The closing date"))):
        try:
            bounds.check_date(value, field=name, what=what)
        except ApplicationError as exc:
            errors.update(exc.fields)
    bounded = (("time_limit", time_limit, 0, limits.TIME_LIMIT_MAX, _("The time limit")),
               ("grace_period", grace_period, 0, limits.GRACE_PERIOD_MAX,
                _("The grace period")),
               ("attempts_allowed", attempts_allowed, 0, limits.ATTEMPTS_ALLOWED_MAX,
                _("The number of attempts allowed")),
               ("week", week, 0, limits.WEEK_MAX, _("The week")),
               ("max_grade", max_grade, limits.MAX_GRADE_MIN, limits.MAX_GRADE_MAX,
                _("The maximum grade")),
               ("weight", quiz.weight if weight is None else weight, 0, limits.WEIGHT_MAX,
                _("The weight in the gradebook")))
    for name, value, low, high, what in bounded:
        try:
            bounds.check_number(value, field=name, what=what, low=low, high=high)
        except ApplicationError as exc:
            errors.update(exc.fields)
    if grading_method not in Quiz.GradingMethod.values:
        errors["grading_method"] = [_("Choose a grading method.")]
    if kind not in Quiz.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if questions_per_page not in (0, 1):
        errors["questions_per_page"] = [_(
            "Questions per page must be 0 (all on one page) or 1 (one per page).")]
    if errors:
        raise ApplicationError(_("Some settings need fixing."), code="invalid", fields=errors)
    policy = review_policy_clean(review_policy if review_policy is not None
                                 else quiz.review_policy)
    # Open attempts follow the new dates at once (and close if they are now past them).
    with services.quiz_terms_change(quiz):
        quiz.title, quiz.title_en, quiz.intro = title.strip()[:200], title_en.strip()[:200], intro
        quiz.kind, quiz.week = kind, week
        quiz.module = quiz.course.modules.filter(number=week).first()
        quiz.open_at, quiz.close_at = open_at, close_at
        quiz.time_limit, quiz.grace_period = time_limit, grace_period
        quiz.attempts_allowed, quiz.grading_method = attempts_allowed, grading_method
        quiz.shuffle_questions, quiz.shuffle_choices = shuffle_questions, shuffle_choices
        quiz.questions_per_page = questions_per_page
        quiz.review_policy = policy
        quiz.max_grade = Decimal(str(max_grade))
        if weight is not None:
            quiz.weight = Decimal(str(weight))
        quiz.save()
    return quiz


def quiz_set_published(*, quiz: Quiz, published: bool) -> Quiz:
    """Publish (students see it and may start it) or unpublish."""
    with transaction.atomic():
        if published and not quiz.slots.exists():
            raise ApplicationError(_("Add at least one question before publishing the quiz."),
                                   code="quiz_empty", status_code=409)
        quiz.published = published
        quiz.save(update_fields=["published"])
    return quiz


def quiz_duplicate(*, quiz: Quiz, title: str = "") -> Quiz:
    """A copy of the quiz with its settings and slots, unpublished and without attempts."""
    with transaction.atomic():
        title = title.strip() or _("%(title)s (copy)") % {"title": quiz.title}
        copy = Quiz.objects.create(
            course=quiz.course, module=quiz.module, week=quiz.week,
            slug=_unique_slug(quiz.course, f"{quiz.slug}-copy"), title=title[:200],
            title_en=quiz.title_en, intro=quiz.intro, kind=quiz.kind, published=False,
            open_at=quiz.open_at, close_at=quiz.close_at, time_limit=quiz.time_limit,
            grace_period=quiz.grace_period, attempts_allowed=quiz.attempts_allowed,
            grading_method=quiz.grading_method, shuffle_questions=quiz.shuffle_questions,
            shuffle_choices=quiz.shuffle_choices, review_policy=quiz.review_policy,
            max_grade=quiz.max_grade, weight=quiz.weight,
            questions_per_page=quiz.questions_per_page)
        Slot.objects.bulk_create([
            Slot(quiz=copy, position=s.position, kind=s.kind, question_id=s.question_id,
                 version_id=s.version_id, category_id=s.category_id,
                 include_subcategories=s.include_subcategories, mark=s.mark)
            for s in quiz.slots.order_by("position")])
    return copy


# ----------------------------------------------------------------------------------------------
# Slots
# ----------------------------------------------------------------------------------------------


def _editable(quiz: Quiz) -> Quiz:
    """Lock the quiz row; refuse structural changes once students have attempts."""
    locked = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if locked.attempts.exists():
        raise ApplicationError(
            _("Students have already attempted this quiz, so its questions cannot change. "
              "Duplicate the quiz to make a changed copy."),
            code="quiz_has_attempts", status_code=409)
    # Prepared attempts are not attempts yet: they are built again after the change (some slot
    # writes are bulk statements that send no signal).
    attempts_prepared_discard(quiz_ids=[locked.pk])
    return locked


def _slot_mark(mark: object, *, field: str = "mark") -> Decimal:
    return bounds.check_number(mark, field=field, what=_("The mark"), low=0,
                               high=limits.MARK_MAX).quantize(Decimal("0.001"))


def _check_quiz_total(quiz: Quiz, total: Decimal, *, field: str = "mark") -> None:
    """Refuse a change that would make the quiz worth more than an attempt's score can hold."""
    if total > limits.QUIZ_MARKS_MAX:
        raise ApplicationError(
            _("The questions of a quiz can be worth %(max)s marks in all; with this change "
              "they would be worth %(total)s. Lower some marks.") % {
                # Plain digits: Decimal.normalize() alone writes 11000 as "1.1E+4".
                "max": limits.QUIZ_MARKS_MAX, "total": bounds.plain_number(total)},
            code="out_of_range", fields={field: [_("Lower the mark.")]})


def _quiz_total(quiz: Quiz, exclude: Slot | None = None) -> Decimal:
    slots = quiz.slots.all()
    if exclude is not None:
        slots = slots.exclude(pk=exclude.pk)
    return sum(slots.values_list("mark", flat=True), Decimal(0))


def _answerable(version: QuestionVersion | None) -> bool:
    return version is None or qtypes.get(version.qtype).answerable


def _next_position(quiz: Quiz) -> int:
    return (quiz.slots.aggregate(n=Max("position"))["n"] or 0) + 1


def slots_add_questions(*, quiz: Quiz, questions: Iterable[Question],
                        mark: float | None = None) -> list[Slot]:
    """Append questions (always their latest version) that are not in the quiz yet."""
    if mark is not None:
        mark = _slot_mark(mark)
    with transaction.atomic():
        quiz = _editable(quiz)
        present = set(quiz.slots.exclude(question=None).values_list("question_id", flat=True))
        position = _next_position(quiz)
        slots = []
        for question in questions:
            if question.course_id != quiz.course_id:
                raise ApplicationError(_("The question belongs to another course."),
                                       code="invalid")
            if question.pk in present:
                continue
            present.add(question.pk)
            latest = question.latest_version()
            version_mark = (Decimal(0) if not _answerable(latest) else
                            mark if mark is not None else latest.default_mark)
            slots.append(Slot(quiz=quiz, position=position, kind=Slot.Kind.LATEST,
                              question=question, mark=version_mark))
            position += 1
        _check_quiz_total(quiz, _quiz_total(quiz) + sum((s.mark for s in slots), Decimal(0)))
        return Slot.objects.bulk_create(slots)


def slot_add_random(*, quiz: Quiz, category: Category, include_subcategories: bool = False,
                    count: int = 1, mark: float = 1.0) -> list[Slot]:
    """Append `count` slots that each draw a different question from `category`."""
    if category.course_id != quiz.course_id:
        raise ApplicationError(_("The category belongs to another course."), code="invalid")
    if not 1 <= count <= limits.RANDOM_SLOTS_MAX:
        raise ApplicationError(
            _("Add between 1 and %(max)s random questions.") % {"max": limits.RANDOM_SLOTS_MAX},
            code="invalid", fields={"count": [_("Enter 1 to %(max)s.") % {
                "max": limits.RANDOM_SLOTS_MAX}]})
    mark = _slot_mark(mark)
    with transaction.atomic():
        quiz = _editable(quiz)
        _check_quiz_total(quiz, _quiz_total(quiz) + mark * count)
        position = _next_position(quiz)
        return Slot.objects.bulk_create([
            Slot(quiz=quiz, position=position + i, kind=Slot.Kind.RANDOM, category=category,
                 include_subcategories=include_subcategories, mark=mark)
            for i in range(count)])


def random_pool_size(*, slot: Slot) -> int:
    """How many questions a random slot can draw from."""
    ids = [slot.category_id]
    if slot.include_subcategories:
        ids += services._descendants(slot.category_id)
    return Question.objects.filter(category_id__in=ids).count()


def _renumber(quiz: Quiz, ordered_ids: list[int]) -> None:
    # Two passes: positions are unique per quiz, so move everything out of the way first.
    offset = len(ordered_ids) + (quiz.slots.aggregate(n=Max("position"))["n"] or 0) + 1
    for i, slot_id in enumerate(ordered_ids):
        Slot.objects.filter(pk=slot_id).update(position=offset + i)
    for i, slot_id in enumerate(ordered_ids):
        Slot.objects.filter(pk=slot_id).update(position=i + 1)


def slots_reorder(*, quiz: Quiz, slot_ids: list[int]) -> None:
    """Put the quiz's slots in the order of `slot_ids` (every slot exactly once)."""
    with transaction.atomic():
        quiz = _editable(quiz)
        current = list(quiz.slots.order_by("position").values_list("pk", flat=True))
        if sorted(current) != sorted(slot_ids) or len(set(slot_ids)) != len(slot_ids):
            raise ApplicationError(_("The new order must list every question of the quiz once; "
                                     "reload the page."), code="stale_order", status_code=409)
        if current != list(slot_ids):
            _renumber(quiz, list(slot_ids))


def slot_move(*, quiz: Quiz, slot: Slot, offset: int) -> None:
    """Move a slot up (offset -1) or down (+1); at either end nothing happens."""
    with transaction.atomic():
        quiz = _editable(quiz)
        order = list(quiz.slots.order_by("position").values_list("pk", flat=True))
        if slot.pk not in order:
            raise ApplicationError(_("This question is not in the quiz."), code="not_found",
                                   status_code=404)
        i = order.index(slot.pk)
        j = max(0, min(len(order) - 1, i + offset))
        if i != j:
            order.insert(j, order.pop(i))
            _renumber(quiz, order)


def slot_remove(*, quiz: Quiz, slot: Slot) -> None:
    with transaction.atomic():
        quiz = _editable(quiz)
        if slot.quiz_id != quiz.pk:
            raise ApplicationError(_("This question is not in the quiz."), code="not_found",
                                   status_code=404)
        slot.delete()
        _renumber(quiz, list(quiz.slots.order_by("position").values_list("pk", flat=True)))


def slot_set_mark(*, quiz: Quiz, slot: Slot, mark: float | Decimal | str) -> Slot:
    """Set what a slot is worth (a slot holding a description stays worth 0)."""
    mark = _slot_mark(mark)
    with transaction.atomic():
        quiz = _editable(quiz)
        if slot.question_id is not None and not _answerable(slot.question.latest_version()):
            mark = Decimal(0)
        _check_quiz_total(quiz, _quiz_total(quiz, exclude=slot) + mark)
        slot.mark = mark
        slot.save(update_fields=["mark"])
    return slot
