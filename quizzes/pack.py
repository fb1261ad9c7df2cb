"""Read the quiz files of a course pack (`quizzes/*.yaml`) into specs, validating every item.

Like the lesson reader, it reports every problem with its file and line before anything is
written; `quizzes.services.quiz_pack_apply` writes the specs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from courses.pack import (
    SLUG_RE,
    CoursePackSpec,
    LessonSpec,
    PackError,
    Problem,
    ProblemList,
    read_yaml_file,
)
from courses.yaml_lines import LineDict, YamlError, load_yaml

from . import limits, qtypes
from .models import REVIEW_ITEMS, REVIEW_WINDOWS

COMMON_KEYS = {"key", "type", "mark", "stem", "explanation", "lesson", "name", "tags",
               "text_format", "terms"}
GRADING_METHODS = ("highest", "average", "first", "last")
KINDS = ("weekly", "midterm", "practice")


@dataclass
class QuestionSpec:
    key: str
    qtype: str
    name: str
    stem: str
    text_format: str
    data: dict
    general_feedback: str
    mark: float
    lesson: tuple[str, str] | None  # (module dir, lesson slug)
    tags: list[str]
    # Words the item relies on; each must occur in the linked lesson (checked here, not stored).
    terms: list[str] = field(default_factory=list)


@dataclass
class QuizSpec:
    slug: str
    title: str
    title_en: str
    week: int
    kind: str
    intro: str
    time_limit: int  # seconds
    attempts_allowed: int
    grading_method: str
    shuffle_questions: bool
    shuffle_choices: bool
    review_policy: dict | None
    open_at: datetime | None
    close_at: datetime | None
    questions: list[QuestionSpec] = field(default_factory=list)
    source_file: str = ""
    questions_per_page: int = 0


def read_quiz_files(pack: CoursePackSpec) -> list[QuizSpec]:
    """Read every quiz file of the pack; raise PackError listing all problems."""
    problems: list[Problem] = []
    lessons = {(m.dir, lesson.slug): lesson for m in pack.modules for lesson in m.lessons}
    quizzes: list[QuizSpec] = []
    seen_keys: dict[str, str] = {}
    seen_slugs: dict[str, str] = {}
    for path in pack.quiz_files:
        rel = str(path.relative_to(pack.root.parent))
        check = ProblemList(rel)
        gift_questions = None
        if path.suffix == ".gift":
            doc, gift_questions = _read_gift_quiz(path, check)
        else:
            doc = read_yaml_file(path, pack.root, problems)
        if doc is None:
            problems.extend(check)
            continue
        if not isinstance(doc, LineDict):
            problems.append(Problem(rel, 1, "a quiz file must be a YAML mapping"))
            continue
        quiz = _read_quiz(doc, check, rel)
        raws = gift_questions if gift_questions is not None else \
            check.need(doc, "questions", list) or []
        for i, raw in enumerate(raws):
            question = raw[0] if gift_questions is not None else \
                _read_question(raw, i, check, lessons, doc.line_of("questions"))
            if question is None:
                continue
            if question.key in seen_keys:
                check.add(raw[1] if gift_questions is not None else raw.line_of("key"),
                          f"question key {question.key!r} is already used "
                          f"in {seen_keys[question.key]}")
            seen_keys[question.key] = rel
            if quiz is not None:
                quiz.questions.append(question)
        if quiz is not None:
            total = sum(limits.decimal_or_none(q.mark) or 0 for q in quiz.questions)
            if total > limits.QUIZ_MARKS_MAX:
                check.add(doc.line, f"the questions are worth {total:g} marks in all; a quiz "
                                    f"can be worth at most {limits.QUIZ_MARKS_MAX}")
            if quiz.slug in seen_slugs:
                check.add(doc.line_of("slug"), f"quiz slug {quiz.slug!r} is already used in "
                                               f"{seen_slugs[quiz.slug]}")
            seen_slugs[quiz.slug] = rel
            if not quiz.questions and not check:
                check.add(doc.line, "the quiz has no questions")
            quiz.source_file = rel
            quizzes.append(quiz)
        problems.extend(check)
    if problems:
        raise PackError(problems)
    return quizzes


def _read_gift_quiz(path: Path, check: ProblemList
                    ) -> tuple[LineDict | None, list[tuple[QuestionSpec, int]]]:
    """A quiz written as GIFT (`quizzes/<slug>.gift`): the quiz settings are YAML in a front
    comment between `// ---` lines (the same keys as a YAML quiz file, without `questions`);
    every question needs a Moodle idnumber comment, `// [id:<key>]`, as its stable key."""
    from .formats import FormatError, gift

    try:
        lines = path.read_text(encoding="utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError:
        check.add(None, "file is not UTF-8 text; save it as UTF-8")
        return None, []
    front = 0
    if lines and lines[0].strip() == "// ---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "// ---"), None)
        if end is None:
            check.add(1, "the settings comment opened with '// ---' is not closed by '// ---'")
            return None, []
        front = end + 1
    if not front:
        check.add(1, "a GIFT quiz starts with its settings: '// ---', lines such as "
                     "'// slug: week08-quiz' and '// title: …', then '// ---'")
        return None, []
    # Blank lines keep the line numbers of the YAML and of the questions those of the file.
    settings = [""] + [re.sub(r"^//\s?", "", line) for line in lines[1:front - 1]]
    try:
        doc = load_yaml("\n".join(settings))
    except YamlError as exc:
        check.add(exc.line, exc.message)
        return None, []
    if doc is None:
        doc = LineDict()
        doc.line, doc.key_lines = 1, {}
    if isinstance(doc, LineDict) and "questions" in doc:
        check.add(doc.line_of("questions"), "the questions of a GIFT quiz are the GIFT below "
                                            "the settings, not a 'questions' key")
    try:
        parsed = gift.parse("\n" * front + "\n".join(lines[front:]))
    except FormatError as exc:
        check.add(exc.line, str(exc).removeprefix(f"line {exc.line}: "))
        return doc, []
    specs = []
    for q in parsed.questions:
        line = int(q.position.removeprefix("line ") or 0) or None
        if not q.idnumber:
            check.add(line, f"question '{q.name}' needs a stable key: put '// [id:<key>]' on "
                            "the line above it")
            continue
        try:
            data = qtypes.get(q.qtype).validate(q.data)
        except qtypes.QuestionDataError as exc:
            check.add(line, f"question {q.idnumber}: {exc.path}: {exc.message}")
            continue
        specs.append((QuestionSpec(
            key=q.idnumber, qtype=q.qtype, name=q.name or q.idnumber, stem=q.stem,
            text_format=q.text_format, data=data, general_feedback=q.general_feedback,
            mark=float(q.default_mark), lesson=None, tags=list(q.tags)), line))
    return doc, specs


def _bounded(doc: LineDict, key: str, value: Any, low: Any, high: Any, check: ProblemList, *,
             where: str = "", unit: str = "") -> Any:
    """`value` when it is within [low, high]; otherwise a problem on its line, and None."""
    if value is None or limits.in_range(value, low, high):
        return value
    check.add(doc.line_of(key), f"'{where}{key}' must be from {low} to {high}{unit}, "
                                f"got {value!r}")
    return None


def _read_datetime(doc: LineDict, key: str, check: ProblemList) -> datetime | None:
    value = doc.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        check.add(doc.line_of(key), f"'{key}' must be an ISO date and time such as "
                                    f"2026-04-20T09:00+09:00, got {value!r}")
        return None
    if parsed.tzinfo is None:
        check.add(doc.line_of(key), f"'{key}' needs a time zone, e.g. {value}+09:00")
        return None
    if not limits.date_in_range(parsed):
        check.add(doc.line_of(key), f"'{key}' must be from {limits.DATE_MIN:%Y-%m-%d} to "
                                    f"{limits.DATE_MAX:%Y-%m-%d}, got {value}")
        return None
    return parsed


def _read_quiz(doc: LineDict, check: ProblemList, rel: str) -> QuizSpec | None:
    slug = check.need(doc, "slug", str)
    if slug and not SLUG_RE.match(slug):
        check.add(doc.line_of("slug"), f"slug {slug!r} may use only a-z, 0-9 and '-'")
    title = check.need(doc, "title", str)
    week = _bounded(doc, "module", check.need(doc, "module", int, default=0), 0,
                    limits.WEEK_MAX, check)
    kind = check.need(doc, "kind", str, default="weekly")
    if kind not in KINDS:
        check.add(doc.line_of("kind"), f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    method = check.need(doc, "grading_method", str, default="highest")
    if method not in GRADING_METHODS:
        check.add(doc.line_of("grading_method"),
                  f"grading_method must be one of {', '.join(GRADING_METHODS)}, got {method!r}")
    minutes = _bounded(doc, "time_limit_minutes",
                       check.need(doc, "time_limit_minutes", (int, float), default=0), 0,
                       limits.TIME_LIMIT_MAX // 60, check)
    attempts = _bounded(doc, "attempts_allowed",
                        check.need(doc, "attempts_allowed", int, default=0), 0,
                        limits.ATTEMPTS_ALLOWED_MAX, check)
    per_page = _bounded(doc, "questions_per_page",
                        check.need(doc, "questions_per_page", int, default=0), 0, 1, check)
    review = doc.get("review")
    if review is not None:
        review = _read_review(doc, review, check)
    open_at = _read_datetime(doc, "open_at", check)
    close_at = _read_datetime(doc, "close_at", check)
    if open_at and close_at and close_at <= open_at:
        check.add(doc.line_of("close_at"), "close_at must be after open_at")
    if None in (slug, title):
        return None
    return QuizSpec(
        slug=slug, title=title, title_en=str(doc.get("title_en") or ""), week=week or 0,
        kind=kind, intro=str(doc.get("intro") or ""),
        time_limit=int(round((minutes or 0) * 60)), attempts_allowed=attempts or 0,
        grading_method=method, shuffle_questions=bool(doc.get("shuffle_questions", False)),
        shuffle_choices=bool(doc.get("shuffle_choices", True)), review_policy=review,
        open_at=open_at, close_at=close_at, source_file=rel, questions_per_page=per_page or 0,
    )


def _read_review(doc: LineDict, review: Any, check: ProblemList) -> dict | None:
    line = doc.line_of("review")
    if not isinstance(review, dict):
        check.add(line, "review must map windows (during, immediately, open, closed) to lists "
                        f"of items ({', '.join(REVIEW_ITEMS)})")
        return None
    policy = {window: [] for window in REVIEW_WINDOWS}
    for window, items in review.items():
        if window not in REVIEW_WINDOWS:
            check.add(line, f"unknown review window {window!r}; use {', '.join(REVIEW_WINDOWS)}")
            continue
        items = list(REVIEW_ITEMS) if items == "all" else items
        bad = [item for item in items or [] if item not in REVIEW_ITEMS]
        if bad:
            check.add(line, f"unknown review item(s) {bad} in {window}; use "
                            f"{', '.join(REVIEW_ITEMS)} or 'all'")
        policy[window] = [item for item in items or [] if item in REVIEW_ITEMS]
    return policy


def _read_question(raw: Any, index: int, check: ProblemList,
                   lessons: dict[tuple[str, str], LessonSpec], list_line: int
                   ) -> QuestionSpec | None:
    where = f"questions[{index}]."
    if not isinstance(raw, LineDict):
        check.add(list_line, f"questions[{index}] must be a mapping")
        return None
    key = check.need(raw, "key", str, where=where)
    qtype_name = check.need(raw, "type", str, where=where)
    stem = check.need(raw, "stem", str, where=where)
    mark = _bounded(raw, "mark", check.need(raw, "mark", (int, float), where=where, default=1),
                    0, limits.MARK_MAX, check, where=where)
    label = f"question {key or index}"
    lesson = None
    if raw.get("lesson") is not None:
        ref = str(raw["lesson"])
        parts = tuple(ref.split("/"))
        if len(parts) != 2 or parts not in lessons:
            check.add(raw.line_of("lesson"), f"{label}: lesson {ref!r} is not in this pack; "
                                             "write <week folder>/<lesson slug>, e.g. week06/bert")
        else:
            lesson = parts
    terms = _read_terms(raw, label, check, lessons.get(lesson) if lesson else None)
    if qtype_name is None or stem is None or key is None:
        return None
    data = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
    try:
        qtype = qtypes.get(qtype_name)
        data = qtype.validate(data)
    except qtypes.QuestionDataError as exc:
        check.add(_line_of_path(raw, str(exc.path)), f"{label}: {exc.path}: {exc.message}")
        return None
    tags = raw.get("tags") or []
    return QuestionSpec(
        key=key, qtype=qtype_name, name=str(raw.get("name") or "") or default_name(stem, key),
        stem=stem,
        text_format=str(raw.get("text_format") or "markdown"), data=_plain(data),
        general_feedback=str(raw.get("explanation") or ""),
        # A question that takes no answer (a description) is worth nothing.
        mark=float(mark if mark is not None else 1) if qtype.answerable else 0.0,
        lesson=lesson, tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
        terms=terms,
    )


def _read_terms(raw: LineDict, label: str, check: ProblemList,
                lesson: LessonSpec | None) -> list[str]:
    """`terms: [DCGAN, 전치 합성곱]`: the words the item relies on. Each must be in the text of
    the linked lesson as a student reads it, so a review link never sends a student to a lesson
    that does not teach what the item asks."""
    if raw.get("terms") is None:
        return []
    line = raw.line_of("terms")
    terms = raw["terms"]
    if not isinstance(terms, list) or not terms or not all(
            isinstance(t, str) and t.strip() for t in terms):
        check.add(line, f"{label}: 'terms' must be a list of words or phrases the item relies "
                        "on, e.g. terms: [DCGAN, 전치 합성곱]")
        return []
    if "lesson" not in raw:
        check.add(line, f"{label}: 'terms' are looked up in the linked lesson; add 'lesson'")
        return []
    if lesson is not None:
        text = _plain_text(f"{lesson.title} {lesson.body_html}")
        for term in terms:
            if _plain_text(term) not in text:
                check.add(line, f"{label}: the term {term!r} is not in lesson "
                                f"{raw['lesson']} ({lesson.title}); link the lesson that "
                                "teaches it, or correct the term")
    return [t.strip() for t in terms]


def _plain_text(fragment: str) -> str:
    """HTML or plain text → what a reader sees, in one case and with single spaces."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.split()).casefold()


def _line_of_path(raw: LineDict, path: str) -> int:
    """The line of `choices[2].fraction` inside the question's YAML, as deep as it can be found."""
    import re

    node: Any = raw
    line = raw.line
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if name and isinstance(node, LineDict) and name in node:
            line = node.line_of(name)
            node = node[name]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
            if isinstance(node, LineDict):
                line = node.line
        else:
            break
    return line


def _plain(value: Any) -> Any:
    """LineDicts → dicts, so stored JSON and equality checks see plain data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def default_name(stem: str, key: str) -> str:
    """A question's name when the pack gives none: the start of its stem as plain text (as Moodle
    names a GIFT question that has no name), so lists and statistics read as questions, not
    keys. The key stays the question's identity."""
    text = re.sub(r"\$+([^$]*)\$+", r"\1", stem)  # a formula's source is readable enough
    text = re.sub(r"\\[a-zA-Z]+|[*_`#>|{}\[\]]", "", text)
    text = " ".join(text.split())
    if not text:
        return key
    return text if len(text) <= 60 else text[:59].rstrip() + "…"
