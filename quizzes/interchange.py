"""Question import and export: GIFT and Moodle XML files in and out of a course's bank.

The pure parsers and writers live in `quizzes.formats`; this module decides what a file means
for the database. Rules:

* An import is atomic: the whole file is parsed and checked before anything is written, and the
  writes run in one transaction. A `FormatError` (or a file over
  `settings.QUESTION_IMPORT_MAX_BYTES`) raises `ApplicationError` naming the line or element;
  nothing is stored.
* Moodle categories become nested `Category` rows of the course (under `parent` when given).
* A question whose idnumber matches a `Question.key` of the course gets a new version only when
  its content (or its files) changed, and is otherwise reported "unchanged"; a question without
  a match is created (one that another import created meanwhile is matched, not duplicated).
* Embedded files (`@@PLUGINFILE@@/name`) are stored as `QuestionFile` rows of the version; the
  texts keep the reference, which `pluginfile_urls` rewrites to the access-checked file view
  when a page is rendered.
* HTML texts are sanitised (`courses.rendering.render_text(text, "html")`) before they are
  stored, and again whenever they are rendered.

Every public function is keyword-only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.formats import localize
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from config.uploads import UploadTooLarge
from courses.models import Course
from courses.rendering import render_text

from . import qtypes, services
from .file_urls import PLUGINFILE, pluginfile_urls, question_file_url  # noqa: F401 - re-exported
from .format_messages import format_error_text, where_text
from .formats import FormatError, ParsedQuestion, gift, moodle_xml
from .formats.common import DataProblem, clean_name, default_name
from .models import Category, Question, QuestionVersion, Quiz, Slot
from .qtypes._choices import duplicate_choice
from .question_files import question_files_store, version_files

log = logging.getLogger(__name__)

FORMATS = {"gift": "GIFT", "moodle-xml": "Moodle XML"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_import_bytes() -> int:
    return int(getattr(settings, "QUESTION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_too_large(limit: int) -> UploadTooLarge:
    """The 413 for an import upload past `limit` bytes, refused before it is read (the import
    page and API are marked with `config.uploads.upload_limit`). The limit is written in MB as
    the import page writes it."""
    message = _("The file is larger than %(limit)s MB, the most a question import takes. "
                "Split it into smaller files and import each.") % {
        "limit": localize(round(limit / 1024 / 1024, 1))}
    return UploadTooLarge(limit, message=message, field="file", code="file_too_large")


# ----------------------------------------------------------------------------------------------
# Embedded files
# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------


@dataclass
class ImportItem:
    """One question of the file and what happened to it."""

    name: str
    qtype: str
    position: str
    category: str = ""
    question_id: int | None = None
    version: int | None = None
    key: str = ""
    files: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    format: str
    filename: str = ""
    created: list[ImportItem] = field(default_factory=list)
    updated: list[ImportItem] = field(default_factory=list)
    unchanged: list[ImportItem] = field(default_factory=list)
    skipped: list[ImportItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    files_stored: int = 0
    quiz: str = ""

    @property
    def questions(self) -> list[ImportItem]:
        """Every imported question (created, updated or unchanged) in file order."""
        items = self.created + self.updated + self.unchanged
        return sorted(items, key=lambda item: _position_key(item.position))

    def summary(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(skipped)s skipped; %(files)s files stored") % {
            "created": len(self.created), "updated": len(self.updated),
            "unchanged": len(self.unchanged), "skipped": len(self.skipped),
            "files": self.files_stored}

    def lines(self) -> list[str]:
        """The report as text lines (the management command prints these)."""
        label = " ".join(filter(None, [FORMATS.get(self.format, self.format), self.filename]))
        out = [f"{label}: {self.summary()}"]
        for label, items in (("created", self.created), ("updated", self.updated),
                             ("unchanged", self.unchanged)):
            for item in items:
                extra = f", {item.files} files" if item.files else ""
                out.append(f"  {label:<9} {item.position}: [{item.category}] {item.name} "
                           f"({item.qtype}, v{item.version}{extra})")
        for item in self.skipped:
            out.append(f"  skipped   {item.position}: {item.name} ({item.qtype}): {item.reason}")
        for warning in self.warnings:
            out.append(f"  warning   {warning}")
        if self.quiz:
            out.append(f"  added to quiz {self.quiz}")
        return out

    def as_dict(self) -> dict:
        return {
            "format": self.format, "filename": self.filename,
            "created": [asdict(i) for i in self.created],
            "updated": [asdict(i) for i in self.updated],
            "unchanged": [asdict(i) for i in self.unchanged],
            "skipped": [asdict(i) for i in self.skipped],
            "warnings": list(self.warnings), "categories": list(self.categories),
            "files_stored": self.files_stored, "quiz": self.quiz,
        }


def _position_key(position: str) -> tuple[int, str]:
    digits = "".join(ch for ch in position if ch.isdigit())
    return (int(digits) if digits else 0, position)


def detect_format(*, filename: str = "", content: bytes = b"") -> str:
    """'gift' or 'moodle-xml' from the file name, else from the first bytes."""
    lower = filename.lower()
    if lower.endswith(".xml"):
        return "moodle-xml"
    if lower.endswith((".gift", ".txt")):
        return "gift"
    head = content[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "moodle-xml" if head.startswith((b"<?xml", b"<quiz")) else "gift"


def _parse(content: bytes, fmt: str, limit: int):
    if fmt == "moodle-xml":
        return moodle_xml.parse(content, max_bytes=limit)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 "
                          "and import it again") from None
    return gift.parse(text)


_STYLE_RE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_TAG_NAME_RE = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")

_HTML_TEXT_KEYS = {
    "single_choice": {"choices": ("text", "feedback")},
    "multiple_response": {"choices": ("text", "feedback")},
    "short_answer": {"answers": ("feedback",)},
    "numerical": {"answers": ("feedback",)},
    "matching": {"pairs": ("prompt",)},
}
_HTML_SCALARS = {
    "true_false": ("feedback_true", "feedback_false"),
    "select_missing_words": ("text",),
    "essay": ("grader_info",),
    "cloze": ("text",),
}


def _sanitised(pq: ParsedQuestion, warnings: list[str] | None = None,
               where: str = "") -> ParsedQuestion:
    """HTML texts through the one sanitiser (render_text(..., "html")); others untouched.
    What the sanitiser removes is named in `warnings` (style attributes, scripts…)."""
    if pq.text_format != "html":
        return pq
    removed: set[str] = set()

    def clean(text: Any) -> Any:
        if not (isinstance(text, str) and text):
            return text
        cleaned = render_text(text, "html")
        if _STYLE_RE.search(text) and not _STYLE_RE.search(cleaned):
            removed.add(_("style attributes"))
        for tag in _TAG_NAME_RE.findall(text):
            if not re.search(rf"<{re.escape(tag)}\b", cleaned, re.IGNORECASE):
                removed.add(f"<{tag.lower()}>")
        return cleaned

    data = dict(pq.data)
    for key, fields in _HTML_TEXT_KEYS.get(pq.qtype, {}).items():
        data[key] = [{k: clean(v) if k in fields else v for k, v in item.items()}
                     for item in data.get(key, [])]
    for key in _HTML_SCALARS.get(pq.qtype, ()):
        if key in data:
            data[key] = clean(data[key])
    if pq.qtype == "cloze":
        # Choice texts and feedback are HTML; a short answer's text is what students type.
        data["subquestions"] = [
            {**sub, **{key: [{k: clean(v) if k in ("feedback", "text") and (
                key == "choices" or k == "feedback") else v for k, v in item.items()}
                for item in sub[key]] for key in ("answers", "choices") if key in sub}}
            for sub in data.get("subquestions", [])]
    extras = dict(pq.extras)
    if "combined_feedback" in extras:
        extras["combined_feedback"] = {k: clean(v)
                                       for k, v in extras["combined_feedback"].items()}
    if "hints" in extras:
        extras["hints"] = [{**h, "text": clean(h.get("text", ""))} for h in extras["hints"]]
    if "responsetemplate" in extras.get("essay", {}):
        extras["essay"] = {**extras["essay"],
                           "responsetemplate": clean(extras["essay"]["responsetemplate"])}
    result = ParsedQuestion(**{**asdict(pq), "stem": clean(pq.stem), "data": data,
                               "general_feedback": clean(pq.general_feedback),
                               "extras": extras})
    if removed and warnings is not None:
        warnings.append(_("%(where)s: removed from the HTML, which this platform does not "
                          "allow: %(what)s") % {"where": where, "what": ", ".join(sorted(removed))})
    return result


def _refused(fmt: str, error: str) -> ApplicationError:
    return ApplicationError(
        _("The %(format)s file cannot be imported: %(error)s. Nothing was imported.")
        % {"format": FORMATS[fmt], "error": error},
        code="invalid_file", fields={"file": [error]})


@dataclass
class _Planned:
    parsed: ParsedQuestion
    item: ImportItem
    data: dict
    path: tuple[str, ...]


def questions_import(*, course: Course, content: bytes, fmt: str | None = None,
                     filename: str = "", parent: Category | None = None,
                     quiz: Quiz | None = None, user: AbstractBaseUser | None = None,
                     max_bytes: int | None = None) -> ImportReport:
    """Import a GIFT or Moodle XML file into `course`'s question bank, all or nothing.

    `parent`: the category the file's categories are nested under (default: the bank's top).
    `quiz`: also append each imported question to this quiz (as "latest version" slots).
    Raises ApplicationError: `file_too_large` (413), `invalid_file` (the format's message with
    its line or element), `quiz_has_attempts`. Logs who imported what, with the counts or the
    reason it was refused.
    """
    who = user.get_username() if user else "-"
    try:
        report = _questions_import(course=course, content=content, fmt=fmt, filename=filename,
                                   parent=parent, quiz=quiz, user=user, max_bytes=max_bytes)
    except ApplicationError as exc:
        log.warning("question import refused: by=%s course=%s file=%r bytes=%d code=%s "
                    "reason=%s", who, course.slug, filename, len(content), exc.code, exc)
        raise
    log.info("question import: by=%s course=%s file=%r format=%s created=%d updated=%d "
             "unchanged=%d skipped=%d files=%d quiz=%s", who, course.slug, filename,
             report.format, len(report.created), len(report.updated), len(report.unchanged),
             len(report.skipped), report.files_stored, report.quiz or "-")
    return report


def _questions_import(*, course: Course, content: bytes, fmt: str | None, filename: str,
                      parent: Category | None, quiz: Quiz | None,
                      user: AbstractBaseUser | None, max_bytes: int | None) -> ImportReport:
    limit = max_import_bytes() if max_bytes is None else max_bytes
    if len(content) > limit:
        raise ApplicationError(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": f"{len(content):,}", "limit": f"{limit:,}"},
            code="file_too_large", status_code=413)
    fmt = fmt or detect_format(filename=filename, content=content)
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown format %(f)s; use gift or moodle-xml.") % {"f": fmt},
                               code="invalid_format")
    try:
        result = _parse(content, fmt, limit)
    except FormatError as exc:
        raise _refused(fmt, format_error_text(exc)) from exc
    if quiz is not None and quiz.attempts.exists():
        raise ApplicationError(_("The quiz already has attempts; its questions cannot change."),
                               code="quiz_has_attempts", status_code=409)
    report = ImportReport(format=fmt, filename=filename)
    report.warnings.extend(result.warnings)
    if not result.questions:
        raise _refused(fmt, _("the file holds no questions"))
    base = _path_of(parent)
    planned: list[_Planned] = []
    seen_keys: dict[str, str] = {}
    for pq in result.questions:
        where = where_text(pq.position, pq.name)
        if len(pq.idnumber) > 100:
            raise _refused(fmt, _("%(where)s: the idnumber is longer than 100 characters")
                           % {"where": where})
        if pq.idnumber and pq.idnumber in seen_keys:
            # Moodle clears an idnumber already used in the category and imports the question.
            report.warnings.append(
                _("%(where)s: the idnumber %(key)s was already used by %(other)s in this file; "
                  "this question is imported without it") % {
                    "where": where, "key": pq.idnumber, "other": seen_keys[pq.idnumber]})
            pq = replace(pq, idnumber="")
        if pq.idnumber:
            seen_keys[pq.idnumber] = pq.position
        item = ImportItem(name=pq.name[:255], qtype=pq.qtype, position=pq.position,
                          key=pq.idnumber, category="/".join(base + pq.category))
        pq = _sanitised(pq, report.warnings, where)
        try:
            data = qtypes.get(pq.qtype).validate(pq.data)
        except qtypes.QuestionDataError as exc:
            raise _refused(fmt, _("%(where)s: %(error)s") % {
                "where": where, "error": str(exc)}) from exc
        if pq.qtype in ("single_choice", "multiple_response"):
            duplicate = duplicate_choice(data)
            if duplicate is not None:
                report.warnings.append(_("%(where)s: %(problem)s") % {
                    "where": where, "problem": str(duplicate)})
        planned.append(_Planned(pq, item, data, base + pq.category))
    with transaction.atomic():
        categories: dict[tuple[str, ...], Category] = {}
        for path in [base + c for c in result.categories] + [p.path for p in planned]:
            if path and path not in categories:
                categories[path] = services.category_get_or_create_path(course=course, path=path)
                report.categories.append(categories[path].path)  # as stored
        for path, info in result.category_info.items():
            _category_info_set(categories[base + path], info)
        imported: list[Question] = []
        unmatched: dict[int, dict[str, list[Question]]] = {}
        for plan in planned:
            category = categories.get(plan.path) or services.category_get_or_create_path(
                course=course, path=plan.path)
            plan.item.category = category.path
            imported.append(_import_one(course, category, plan, report, user, unmatched))
        if quiz is not None and imported:
            from .authoring import slots_add_questions

            slots_add_questions(quiz=quiz, questions=imported)
            report.quiz = quiz.slug
    return report


def _category_info_set(category: Category, info: dict) -> None:
    """A Moodle category's description and idnumber, as the file gives them."""
    values = {"info": info.get("info", ""), "info_format": info.get("info_format", "plain"),
              "idnumber": info.get("idnumber", "")[:100]}
    changed = [k for k, v in values.items() if getattr(category, k) != v]
    for key in changed:
        setattr(category, key, values[key])
    if changed:
        category.save(update_fields=changed)


def _path_of(category: Category | None) -> tuple[str, ...]:
    names: list[str] = []
    while category is not None:
        names.append(category.name)
        category = category.parent
    return tuple(reversed(names))


def _same_as_stored(latest: QuestionVersion, content: tuple, files: dict[str, bytes],
                    extras: dict, fmt: str) -> bool:
    """Whether the file says nothing new about `latest`: its content is what exporting
    `latest` in this format and reading it back gives (texts trimmed, a gap-select intro
    joined to its passage, what GIFT cannot carry left as stored)."""
    stored_files = version_files(latest)
    if (latest.content_tuple() == content and stored_files == files
            and (latest.extras or {}) == extras):
        return True
    normalise = moodle_xml.normalise if fmt == "moodle-xml" else gift.normalise
    try:
        n = _sanitised(normalise(_parsed(latest)))
        data = qtypes.get(n.qtype).validate(n.data)
    except (DataProblem, qtypes.QuestionDataError, KeyError, TypeError, ValueError):
        return False
    mark = round(float(n.default_mark), 3)
    same_files = n.files == files if fmt == "moodle-xml" else not files
    return ((n.qtype, n.stem, n.text_format, data, n.general_feedback, mark) == content
            and same_files and n.extras == extras)


def _name_as_read(name: str) -> str:
    """A stored question name as a file exported with it gives it back: the importers strip
    what looks like an HTML tag from names, as Moodle's clean_question_name() does ("x<y 비교"
    reads back as "x"), so the question is matched by that name, not duplicated."""
    return clean_name(name)[:255]


def _import_one(course: Course, category: Category, plan: _Planned, report: ImportReport,
                user: AbstractBaseUser | None,
                unmatched: dict[int, dict[str, list[Question]]]) -> Question:
    pq, item = plan.parsed, plan.item
    name = (pq.name or default_name(pq.stem or plan.data.get("text", "")))[:255]
    item.name = name
    mark = round(float(pq.default_mark), 3)
    content = (pq.qtype, pq.stem, pq.text_format, plan.data, pq.general_feedback, mark)
    files = {k: bytes(v) for k, v in pq.files.items()}
    item.files = len(files)
    if pq.idnumber:
        question = Question.objects.filter(course=course, key=pq.idnumber).first()
    else:
        # Without an idnumber (Moodle's usual case) the question is the first one of the same
        # name and type in the same category that this file has not matched yet, so that
        # re-importing an export changes nothing. The category's questions without an
        # idnumber are read once, by name, when the file first reaches it (one query per
        # question, excluding the ones matched so far, made a large file quadratic); a match
        # is taken out, and the questions this import creates are never candidates.
        if category.pk not in unmatched:
            by_name: dict[str, list[Question]] = {}
            for candidate in Question.objects.filter(course=course, category=category,
                                                     key="").order_by("pk"):
                by_name.setdefault(_name_as_read(candidate.name), []).append(candidate)
            unmatched[category.pk] = by_name
        candidates = unmatched[category.pk].get(name, [])
        question = next((q for q in candidates if q.latest_version().qtype == pq.qtype), None)
        if question is not None:
            candidates.remove(question)
    if question is None:
        try:
            question = services.question_create(
                course=course, category=category, name=name, qtype=pq.qtype, stem=pq.stem,
                data=plan.data, text_format=pq.text_format,
                general_feedback=pq.general_feedback, default_mark=mark, key=pq.idnumber,
                tags=list(pq.tags), user=user, files=files, extras=pq.extras)
        except IntegrityError:
            # Another import created this idnumber after it was looked up above, and has
            # committed (the insert waited for it). question_create's savepoint undid only this
            # insert: the question is matched now, as if the imports had run one by one.
            question = Question.objects.filter(course=course, key=pq.idnumber).first() \
                if pq.idnumber else None
            if question is None:
                raise
        else:
            report.files_stored += len(files)
            item.question_id, item.version = question.pk, 1
            report.created.append(item)
            return question
    latest = question.latest_version()
    # A name the file gives as an export of the stored one reads back (its tags stripped,
    # as Moodle strips them) is not a change: the stored name is kept.
    meta = {"name": question.name if _name_as_read(question.name) == name else name,
            "tags": list(pq.tags), "category": category}
    meta_changed = [k for k, v in meta.items() if getattr(question, k) != v]
    for k in meta_changed:
        setattr(question, k, meta[k])
    if meta_changed:
        question.save(update_fields=meta_changed)
    item.question_id = question.pk
    if not _same_as_stored(latest, content, files, pq.extras, report.format):
        version = services.question_version_create(
            question=question, qtype=pq.qtype, stem=pq.stem, data=plan.data,
            text_format=pq.text_format, general_feedback=pq.general_feedback, default_mark=mark,
            user=user, change_note=f"import {report.filename}".strip()[:255],
            # GIFT carries neither files nor Moodle's extra settings: the new version keeps
            # the stored ones.
            extras=pq.extras if report.format == "moodle-xml" else None, always=True)
        report.files_stored += question_files_store(
            version=version,
            files=files if report.format == "moodle-xml" else version_files(latest))
        item.version = version.number
        report.updated.append(item)
    elif meta_changed:
        item.version = latest.number
        item.reason = _("changed: %(fields)s") % {"fields": ", ".join(meta_changed)}
        report.updated.append(item)
    else:
        item.version = latest.number
        report.unchanged.append(item)
    return question


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    content: bytes
    filename: str
    content_type: str
    count: int
    skipped: list[str] = field(default_factory=list)  # left out, with the reason
    warnings: list[str] = field(default_factory=list)  # exported, but something was lost


def _parsed(version: QuestionVersion) -> ParsedQuestion:
    question = version.question
    return ParsedQuestion(
        qtype=version.qtype, name=question.name, stem=version.stem,
        text_format=version.text_format, data=version.data,
        general_feedback=version.general_feedback, default_mark=float(version.default_mark),
        category=_path_of(question.category), tags=tuple(question.tags or ()),
        idnumber=question.key, files=version_files(version), position=f"question {question.pk}",
        extras=dict(version.extras or {}))


def questions_for_export(*, course: Course, category: Category | None = None,
                         include_subcategories: bool = True,
                         quiz: Quiz | None = None) -> list[QuestionVersion]:
    """The versions an export writes: a quiz's questions in slot order (pinned versions as
    pinned, random slots as their category's questions), else a category's (with its
    subcategories), else the whole bank."""
    if quiz is not None:
        versions: list[QuestionVersion] = []
        seen: set[int] = set()
        for slot in quiz.slots.select_related("question", "version").order_by("position"):
            if slot.kind == Slot.Kind.RANDOM:
                pool = [slot.category_id]
                if slot.include_subcategories:
                    pool += services._descendants(slot.category_id)
                questions = list(Question.objects.filter(category_id__in=pool).order_by("pk"))
            else:
                questions = [slot.question]
            for question in questions:
                if question.pk in seen:
                    continue
                seen.add(question.pk)
                versions.append(slot.version if slot.kind == Slot.Kind.PINNED
                                else question.latest_version())
        return versions
    questions = Question.objects.filter(course=course)
    if category is not None:
        ids = [category.pk] + (services._descendants(category.pk) if include_subcategories
                               else [])
        questions = questions.filter(category_id__in=ids)
    # The order the questions were created in: an imported file's own order.
    return [q.latest_version() for q in questions.select_related("category").order_by("pk")]


def _categories_info(versions: Iterable[QuestionVersion]) -> dict[tuple[str, ...], dict]:
    """The info and idnumber of the exported questions' categories, by path."""
    info: dict[tuple[str, ...], dict] = {}
    for version in versions:
        category = version.question.category
        if category.info or category.idnumber:
            info[_path_of(category)] = {"info": category.info, "idnumber": category.idnumber,
                                        "info_format": category.info_format or "plain"}
    return info


def questions_export(*, course: Course, fmt: str, category: Category | None = None,
                     include_subcategories: bool = True, quiz: Quiz | None = None,
                     versions: Iterable[QuestionVersion] | None = None) -> ExportResult:
    """Write questions as GIFT or Moodle XML. Questions the format cannot carry (e.g. select
    missing words in GIFT) are left out and listed in `skipped` and in a comment at the top of
    the file."""
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown format %(f)s; use gift or moodle-xml.") % {"f": fmt},
                               code="invalid_format")
    if versions is None:
        versions = questions_for_export(course=course, category=category,
                                        include_subcategories=include_subcategories, quiz=quiz)
    versions = list(versions)
    writer = gift.write if fmt == "gift" else moodle_xml.write
    good: list[ParsedQuestion] = []
    skipped: list[str] = []
    warnings: list[str] = []
    for version in versions:
        pq = _parsed(version)
        try:
            writer([pq])
        except FormatError as exc:
            skipped.append(f"{pq.name}: {exc.message}")
            continue
        if fmt == "gift" and pq.files:
            # File notes are not translated: they end up in the exported file's comments.
            warnings.append(f"{pq.name}: written without its {len(pq.files)} files (GIFT "
                            "cannot carry files; use Moodle XML)")
        good.append(pq)
    body = writer(good) if fmt == "gift" else writer(good, _categories_info(versions))
    stem = quiz.slug if quiz is not None else (
        category.name if category is not None else "questions")
    filename = f"{course.slug}-{stem}".replace("/", "-")
    notes = [f"Not exported: {' '.join(line.split())}" for line in skipped] + [
        f"Note: {' '.join(line.split())}" for line in warnings]
    if fmt == "gift":
        head = "".join(f"// {note}\n" for note in notes)
        text = (head + "\n" if head else "") + body
        return ExportResult(text.encode("utf-8"), filename + ".gift",
                            "text/plain; charset=utf-8", len(good), skipped, warnings)
    if notes:
        comment = "".join(f"  <!-- {note.replace('--', '- -')} -->\n" for note in notes)
        body = body.replace(b"<quiz>\n", b"<quiz>\n" + comment.encode("utf-8"), 1)
    return ExportResult(body, filename + ".xml", "application/xml; charset=utf-8", len(good),
                        skipped, warnings)
