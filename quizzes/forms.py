"""Forms of the authoring pages.

`QuestionEditor` is the question editor: the common fields plus one input per item of the
type's `data` (choices, answers, pairs, options…), named after the item's data path so that a
`QuestionDataError` path such as ``choices[2].fraction`` lands on the input
``d-choices-2-fraction``. Blank rows are dropped before validation, and error paths are mapped
back to the row the author typed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError

from . import limits, qtypes
from .formats.common import ALLOWED_FRACTIONS, percent_text
from .models import REVIEW_ITEMS, REVIEW_WINDOWS, Category, Quiz
from .qtypes.cloze import ClozeError, cloze_text, parse_cloze

#: Each question type's label (owned by its class in qtypes/), translated when shown.
QTYPE_LABELS = {name: _(qt.label) for name, qt in qtypes.TYPES.items()}


def qtype_label(name: str) -> str:
    """The translated label of the question type called ``name`` (the name itself if unknown)."""
    return str(QTYPE_LABELS.get(name, name))


TEXT_FORMAT_LABELS = {
    "markdown": _("Markdown (with $math$)"),
    "html": _("HTML"),
    "plain": _("Plain text"),
    "moodle": _("Moodle auto-format"),
}
REVIEW_WINDOW_LABELS = {
    "during": _("During the attempt"),
    "immediately": _("Immediately after the attempt"),
    "open": _("Later, while the quiz is still open"),
    "closed": _("After the quiz is closed"),
}
REVIEW_ITEM_LABELS = {
    "attempt": _("The attempt"),
    "correctness": _("Whether correct"),
    "marks": _("Marks"),
    "specific_feedback": _("Specific feedback"),
    "general_feedback": _("General feedback"),
    "right_answer": _("Right answer"),
}


def fraction_value(fraction: float) -> str:
    return repr(float(fraction))


def _grade_choices(current: list[str], positive_only: bool) -> list[tuple[str, str]]:
    grades = sorted({g for g in ALLOWED_FRACTIONS if not positive_only or g >= 0}, reverse=True)
    choices = [(fraction_value(g), f"{percent_text(g)}%") for g in grades]
    known = {float(v) for v, _label in choices}
    for value in current:  # keep a value a pack or the API stored outside Moodle's list
        try:
            number = float(value)
        except ValueError:
            continue
        if number not in known:
            choices.append((value, f"{percent_text(number)}%"))
            known.add(number)
    return choices


def _number_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return qtypes.base.format_number(value)
    return str(value)


# --- the type's fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    key: str
    label: Any
    kind: str = "text"  # text, textarea, grade, grade_pos, number, value, int


@dataclass(frozen=True)
class ListSpec:
    key: str
    label: Any
    cols: tuple[Col, ...]
    min_rows: int = 3
    help: Any = ""


@dataclass(frozen=True)
class Scalar:
    key: str
    label: Any
    kind: str = "text"  # text, textarea, bool, truefalse, int, int_or_blank, number, choice
    default: Any = ""
    choices: tuple = ()
    help: Any = ""
    first: bool = False  # shown before the lists


_CHOICES = ListSpec("choices", _("Choices"), (
    Col("text", _("Choice"), "textarea"), Col("fraction", _("Grade"), "grade"),
    Col("feedback", _("Feedback"), "textarea")), 4,
    _("Leave a row empty to remove it. The right choice gets 100%."))
_SHUFFLE = Scalar("shuffle", _("Shuffle the order for each student"), "bool", True)

LISTS: dict[str, tuple[ListSpec, ...]] = {
    "single_choice": (_CHOICES,),
    "multiple_response": (ListSpec("choices", _("Choices"), _CHOICES.cols, 4, _(
        "Leave a row empty to remove it. The grades of the right choices add up to 100%; "
        "wrong ones get 0% or a negative penalty.")),),
    "short_answer": (ListSpec("answers", _("Accepted answers"), (
        Col("text", _("Answer"), "text"), Col("fraction", _("Grade"), "grade_pos"),
        Col("feedback", _("Feedback"), "textarea")), 3,
        _("* matches any characters. Leave a row empty to remove it.")),),
    "numerical": (
        ListSpec("answers", _("Accepted answers"), (
            Col("value", _("Answer"), "value"), Col("tolerance", _("Error allowed (±)"), "number"),
            Col("fraction", _("Grade"), "grade_pos"), Col("feedback", _("Feedback"), "textarea")),
            2, _("Write * as the answer for \"any other answer\".")),
        ListSpec("units", _("Units"), (Col("unit", _("Unit"), "text"),
                                       Col("multiplier", _("Multiplier"), "number")), 1,
                 _("The first unit has multiplier 1; e.g. cm 1, m 0.01.")),
    ),
    "matching": (ListSpec("pairs", _("Pairs"), (
        Col("prompt", _("Item"), "textarea"), Col("answer", _("Matching answer"), "text")), 4,
        _("A pair with an empty item adds a wrong answer to the list.")),),
    "select_missing_words": (ListSpec("options", _("Choices for the gaps"), (
        Col("text", _("Choice"), "text"), Col("group", _("Group"), "int")), 4,
        _("Gap [[1]] is answered by choice 1, [[2]] by choice 2… A gap offers every choice of "
          "its right choice's group.")),),
}
SCALARS: dict[str, tuple[Scalar, ...]] = {
    "single_choice": (_SHUFFLE,),
    "multiple_response": (_SHUFFLE,),
    "true_false": (
        Scalar("correct", _("The statement is"), "truefalse", True),
        Scalar("feedback_true", _("Feedback for the answer \"true\""), "textarea"),
        Scalar("feedback_false", _("Feedback for the answer \"false\""), "textarea"),
    ),
    "short_answer": (Scalar("case_sensitive", _("Case sensitive"), "bool", False),),
    "cloze": (
        Scalar("cloze", _("Text with embedded answers (Cloze)"), "textarea", "", first=True,
               help=_("Write each answer in place, as Moodle does: {1:SHORTANSWER:=Paris}, "
                      "{2:NUMERICAL:=12.5:0.1}, {1:MULTICHOICE:=right~wrong}, "
                      "{1:MULTIRESPONSE:%50%a~%50%b~c}. The number before the type is the "
                      "weight; %50% gives half marks; #text after an answer is its feedback.")),
    ),
    "numerical": (
        Scalar("unit_required", _("The unit must be given"), "bool", False),
        Scalar("unit_penalty", _("Penalty for a missing or wrong unit (0 to 1)"), "number", 1.0,
               help=_("1 makes such an answer wrong; Moodle's default is 0.1.")),
        Scalar("unit_grading", _("The penalty is a share of"), "choice", "response",
               choices=(("response", _("the answer's grade")),
                        ("question", _("the question's grade"))))),
    "matching": (_SHUFFLE,),
    "select_missing_words": (
        Scalar("text", _("Text with gaps"), "textarea", "", first=True,
               help=_("Mark each gap [[n]]: n is the number of its right choice below.")),
        _SHUFFLE,
    ),
    "essay": (
        Scalar("response_format", _("Answer format"), "choice", "plain",
               choices=(("plain", _("Plain text")), ("markdown", _("Markdown")))),
        Scalar("min_words", _("Minimum words"), "int", 0),
        Scalar("max_words", _("Maximum words"), "int_or_blank", None),
        Scalar("grader_info", _("Information for graders"), "textarea"),
    ),
    "description": (),
    "spot_the_fake": (
        Scalar("count", _("Images in the grid"), "int", 6,
               help=_("Each attempt draws its own images from the course's pools.")),
        Scalar("fakes", _("Generated images among them"), "int", 3),
    ),
}

META_FIELDS = ("name", "category", "tags", "key", "text_format", "stem", "general_feedback",
               "default_mark", "change_note")
_PATH = re.compile(r"^([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?")


@dataclass
class Cell:
    name: str
    value: str
    kind: str
    label: Any
    choices: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Row:
    number: int
    cells: list[Cell]


@dataclass
class ListBlock:
    spec: ListSpec
    name: str
    rows: list[Row]
    errors: list = field(default_factory=list)


@dataclass
class ScalarField:
    spec: Scalar
    name: str
    value: Any
    errors: list = field(default_factory=list)


class QuestionEditor:
    """The question form, bound to POST data or filled from a stored version.

    `cleaned()` gives the values for `authoring.question_save` (or None when an input could not
    be read); `add_error()` / `apply_error()` attach messages to the input at fault.
    """

    MAX_ROWS = 200

    def __init__(self, *, qtype: str, categories: list[Category], post=None, version=None,
                 question=None, initial_category: Category | None = None,
                 add_row: str = "") -> None:
        self.qtype = qtype
        self.categories = categories
        self.errors: dict[str, list[str]] = {}
        self.index_map: dict[str, list[int]] = {}
        self._data: dict | None = None
        self._converted = False
        if post is not None:
            self.meta = {name: post.get(name, "") for name in META_FIELDS}
            self._rows = {spec.key: self._post_rows(post, spec) for spec in self.lists_spec}
            self._scalars = {s.key: self._post_scalar(post, s) for s in self.scalars_spec}
        else:
            self.meta = self._initial_meta(version, question, initial_category)
            data = dict(version.data) if version is not None else {}
            if qtype == "cloze" and data:
                data = {"cloze": cloze_text(data)}
            self._rows = {spec.key: self._initial_rows(data.get(spec.key) or [], spec)
                          for spec in self.lists_spec}
            self._scalars = {s.key: self._initial_scalar(data, s) for s in self.scalars_spec}
        if add_row in self._rows and len(self._rows[add_row]) < self.MAX_ROWS:
            spec = next(s for s in self.lists_spec if s.key == add_row)
            self._rows[add_row].append(self._blank_row(spec))

    # -- reading -------------------------------------------------------------------------------

    @property
    def lists_spec(self) -> tuple[ListSpec, ...]:
        return LISTS.get(self.qtype, ())

    @property
    def scalars_spec(self) -> tuple[Scalar, ...]:
        return SCALARS.get(self.qtype, ())

    @staticmethod
    def _blank_row(spec: ListSpec) -> dict[str, str]:
        return {c.key: ("0.0" if c.kind in ("grade", "grade_pos") else
                        "1" if c.kind == "int" else "") for c in spec.cols}

    def _post_rows(self, post, spec: ListSpec) -> list[dict[str, str]]:
        try:
            count = int(post.get(f"d-{spec.key}-rows", "0"))
        except ValueError:
            count = 0
        count = max(0, min(count, self.MAX_ROWS))
        return [{c.key: post.get(f"d-{spec.key}-{i}-{c.key}", "") for c in spec.cols}
                for i in range(count)]

    @staticmethod
    def _post_scalar(post, spec: Scalar) -> Any:
        if spec.kind == "bool":
            return post.get(f"d-{spec.key}") in ("on", "1", "true")
        return post.get(f"d-{spec.key}", "")

    def _initial_rows(self, items: list[dict], spec: ListSpec) -> list[dict[str, str]]:
        rows = []
        for item in items:
            row = {}
            for col in spec.cols:
                value = item.get(col.key, "")
                if col.kind in ("grade", "grade_pos"):
                    row[col.key] = fraction_value(value or 0)
                elif col.kind in ("number", "value", "int"):
                    row[col.key] = _number_text(value)
                else:
                    row[col.key] = str(value or "")
            rows.append(row)
        while len(rows) < max(spec.min_rows, len(items) + 1):
            rows.append(self._blank_row(spec))
        if spec.key == "units" and not items:
            rows = [self._blank_row(spec)]
        return rows

    @staticmethod
    def _initial_scalar(data: dict, spec: Scalar) -> Any:
        if spec.key not in data:
            value = spec.default
        else:
            value = data[spec.key]
        if spec.kind == "bool":
            return bool(value)
        if spec.kind == "truefalse":
            return "1" if value else "0"
        return "" if value is None else str(value)

    def _initial_meta(self, version, question, category) -> dict[str, str]:
        if version is None:
            return {"name": "", "category": str(category.pk) if category else "", "tags": "",
                    "key": "", "text_format": "markdown", "stem": "", "general_feedback": "",
                    "default_mark": "0" if self.qtype == "description" else "1",
                    "change_note": ""}
        return {"name": question.name, "category": str(question.category_id),
                "tags": ", ".join(question.tags or []), "key": question.key,
                "text_format": version.text_format, "stem": version.stem,
                "general_feedback": version.general_feedback,
                "default_mark": _number_text(float(version.default_mark)), "change_note": ""}

    # -- converting --------------------------------------------------------------------------

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))

    def _convert(self, name: str, kind: str, raw: str) -> Any:
        raw = raw.strip()
        if kind in ("grade", "grade_pos"):
            try:
                return float(raw or 0)
            except ValueError:
                self.add_error(name, _("Choose a grade."))
        elif kind == "number":
            if not raw:
                return 1.0 if name.endswith("-multiplier") else 0.0
            try:
                return float(raw.replace(",", "."))
            except ValueError:
                self.add_error(name, _("Enter a number."))
        elif kind == "value":
            if raw == "*":
                return "*"
            try:
                return float(raw.replace(",", "."))
            except ValueError:
                self.add_error(name, _("Enter a number, or * for any other answer."))
        elif kind in ("int", "int_or_blank"):
            if not raw:
                return None if kind == "int_or_blank" else (1 if name.endswith("-group") else 0)
            try:
                return int(raw)
            except ValueError:
                self.add_error(name, _("Enter a whole number."))
        else:
            return raw
        return None

    def data(self) -> dict | None:
        """The `data` object for the type, or None when an input could not be read."""
        if self._converted:
            return self._data
        self._converted = True
        before = len(self.errors)
        data: dict[str, Any] = {}
        for spec in self.lists_spec:
            items, kept = [], []
            for i, row in enumerate(self._rows[spec.key]):
                texts = [row[c.key] for c in spec.cols if c.kind not in ("grade", "grade_pos",
                                                                        "int")]
                if not any(t.strip() for t in texts):
                    continue
                kept.append(i)
                items.append({c.key: self._convert(f"d-{spec.key}-{i}-{c.key}", c.kind,
                                                   row[c.key]) for c in spec.cols})
            self.index_map[spec.key] = kept
            data[spec.key] = items
        for spec in self.scalars_spec:
            value = self._scalars[spec.key]
            if spec.kind == "bool":
                data[spec.key] = bool(value)
            elif spec.kind == "truefalse":
                data[spec.key] = value == "1"
            elif spec.kind in ("int", "int_or_blank", "number"):
                data[spec.key] = self._convert(f"d-{spec.key}", spec.kind, value)
            else:
                data[spec.key] = value
        if self.qtype == "cloze" and len(self.errors) == before:
            try:
                data = parse_cloze(str(data.pop("cloze", "")))
            except ClozeError as exc:
                self.add_error("d-cloze", str(exc))
        if len(self.errors) > before:
            return None
        self._data = data
        return data

    def cleaned(self) -> dict | None:
        """Keyword arguments for `authoring.question_save` (without course/question/user)."""
        data = self.data()
        category = None
        try:
            category = next(c for c in self.categories if str(c.pk) == self.meta["category"])
        except StopIteration:
            self.add_error("category", _("Choose a category."))
        mark = limits.decimal_or_none(self.meta["default_mark"] or "0")
        if mark is None:
            self.add_error("default_mark", _("Enter a number."))
        elif not limits.in_range(mark, 0, limits.MARK_MAX) and self.qtype != "description":
            self.add_error("default_mark", _("Enter a number from 0 to %(max)s.") % {
                "max": limits.MARK_MAX})
            mark = None
        if data is None or category is None or mark is None:
            return None
        return {"category": category, "qtype": self.qtype, "stem": self.meta["stem"],
                "data": data, "name": self.meta["name"], "text_format": self.meta["text_format"],
                "general_feedback": self.meta["general_feedback"], "default_mark": float(mark),
                "tags": [t for t in self.meta["tags"].split(",") if t.strip()],
                "key": self.meta["key"], "change_note": self.meta["change_note"]}

    def field_for_path(self, path: str) -> str:
        """The input a data path ("choices[2].fraction") or a service field name refers to."""
        if path in META_FIELDS or path == "qtype":
            return path
        found = _PATH.match(path)
        if found:
            key, index, col = found[1], int(found[2]), found[3]
            kept = self.index_map.get(key, [])
            row = kept[index] if index < len(kept) else index
            spec = next((s for s in self.lists_spec if s.key == key), None)
            if spec is not None:
                if col not in {c.key for c in spec.cols}:
                    col = spec.cols[0].key
                return f"d-{key}-{row}-{col}"
        head = re.split(r"[.\[]", path, maxsplit=1)[0]
        if head in {s.key for s in self.lists_spec} | {s.key for s in self.scalars_spec}:
            return f"d-{head}"
        return "__all__"

    def apply_error(self, exc: ApplicationError) -> None:
        if not exc.fields:
            self.add_error("__all__", exc.message)
        for path, messages in exc.fields.items():
            for message in messages:
                self.add_error(self.field_for_path(path), message)

    # -- rendering ---------------------------------------------------------------------------

    def list_blocks(self) -> list[ListBlock]:
        blocks = []
        for spec in self.lists_spec:
            rows = []
            current = [row.get(c.key, "") for row in self._rows[spec.key] for c in spec.cols
                       if c.kind in ("grade", "grade_pos")]
            for i, row in enumerate(self._rows[spec.key]):
                cells = []
                for col in spec.cols:
                    name = f"d-{spec.key}-{i}-{col.key}"
                    choices = (_grade_choices(current, col.kind == "grade_pos")
                               if col.kind in ("grade", "grade_pos") else [])
                    value = row.get(col.key, "")
                    if choices:
                        value = _match_choice(value, choices)
                    cells.append(Cell(name, value, col.kind, col.label, choices,
                                      self.errors.get(name, [])))
                rows.append(Row(i + 1, cells))
            blocks.append(ListBlock(spec, f"d-{spec.key}", rows,
                                    self.errors.get(f"d-{spec.key}", [])))
        return blocks

    def scalar_fields(self) -> list[ScalarField]:
        return [ScalarField(s, f"d-{s.key}", self._scalars[s.key],
                            self.errors.get(f"d-{s.key}", [])) for s in self.scalars_spec]

    def field_names(self) -> list[str]:
        """Every input that can carry an error (for the live preview's error refresh)."""
        names = list(META_FIELDS) + ["__all__"]
        for block in self.list_blocks():
            names.append(block.name)
            names += [cell.name for row in block.rows for cell in row.cells]
        names += [f"d-{s.key}" for s in self.scalars_spec]
        return names


def _match_choice(value: str, choices: list[tuple[str, str]]) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    for option, _label in choices:
        if float(option) == number:
            return option
    return value


# --- categories, import/export, quiz settings -------------------------------------------------


def category_choices(categories: list[Category], blank: str | None = None) -> list[tuple]:
    rows = sorted(((c.path, c.pk) for c in categories), key=lambda r: r[0].casefold())
    choices = [("", blank)] if blank is not None else []
    return choices + [(str(pk), path.replace("/", " / ")) for path, pk in rows]


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Inside"), required=False)
    info = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.fields["parent"].choices = category_choices(categories, str(_("(top level)")))

    def clean_parent(self) -> Category | None:
        value = self.cleaned_data.get("parent")
        return self.categories.get(value) if value else None


FORMAT_CHOICES = (("gift", "GIFT"), ("moodle-xml", "Moodle XML"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=(
        ("", _("Recognise from the file")), *FORMAT_CHOICES), required=False)
    parent = forms.ChoiceField(label=_("Put the file's categories inside"), required=False)
    quiz = forms.ChoiceField(label=_("Also add the questions to the quiz"), required=False)

    def __init__(self, *args, categories: list[Category], quizzes: list[Quiz], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.quizzes = {q.slug: q for q in quizzes}
        self.fields["parent"].choices = category_choices(categories, str(_("(top level)")))
        self.fields["quiz"].choices = [("", "—")] + [(q.slug, q.title) for q in quizzes]

    def clean_parent(self) -> Category | None:
        value = self.cleaned_data.get("parent")
        return self.categories.get(value) if value else None

    def clean_quiz(self) -> Quiz | None:
        value = self.cleaned_data.get("quiz")
        return self.quizzes.get(value) if value else None


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    category = forms.ChoiceField(label=_("Category (with its subcategories)"), required=False)
    quiz = forms.ChoiceField(label=_("Or the questions of the quiz"), required=False)

    def __init__(self, *args, categories: list[Category], quizzes: list[Quiz], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.quizzes = {q.slug: q for q in quizzes}
        self.fields["category"].choices = category_choices(categories,
                                                           str(_("(the whole bank)")))
        self.fields["quiz"].choices = [("", "—")] + [(q.slug, q.title) for q in quizzes]

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category")
        return self.categories.get(value) if value else None

    def clean_quiz(self) -> Quiz | None:
        value = self.cleaned_data.get("quiz")
        return self.quizzes.get(value) if value else None


_DATETIME = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                           format="%Y-%m-%dT%H:%M"),
             "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]}


class QuizSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    intro = forms.CharField(label=_("Introduction (Markdown)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Quiz.Kind.choices)
    week = forms.IntegerField(label=_("Week"), min_value=0, max_value=limits.WEEK_MAX)
    open_at = forms.DateTimeField(label=_("Opens"), required=False, **_DATETIME)
    close_at = forms.DateTimeField(label=_("Closes"), required=False, **_DATETIME)
    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes, 0 = none)"),
                                            min_value=0, max_value=limits.TIME_LIMIT_MAX // 60)
    grace_period = forms.IntegerField(label=_("Grace period after the time limit (seconds)"),
                                      min_value=0, max_value=limits.GRACE_PERIOD_MAX)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed (0 = unlimited)"),
                                          min_value=0, max_value=limits.ATTEMPTS_ALLOWED_MAX)
    grading_method = forms.ChoiceField(label=_("Grading method"),
                                       choices=Quiz.GradingMethod.choices)
    shuffle_questions = forms.BooleanField(label=_("Shuffle the questions"), required=False)
    shuffle_choices = forms.BooleanField(label=_("Shuffle the choices within questions"),
                                         required=False)
    # Not required: a form posted without it (an older page, a script) keeps "all on one page".
    questions_per_page = forms.TypedChoiceField(
        label=_("Questions per page"), coerce=int, initial=0, required=False, empty_value=0,
        choices=[(0, _("All questions on one page")), (1, _("One question per page"))])
    max_grade = forms.DecimalField(label=_("Maximum grade"), min_value=limits.MAX_GRADE_MIN,
                                   max_value=limits.MAX_GRADE_MAX, max_digits=7,
                                   decimal_places=2)
    weight = forms.DecimalField(label=_("Weight in the gradebook's average (0 = not counted)"),
                                required=False, min_value=0, max_value=limits.WEIGHT_MAX,
                                max_digits=6, decimal_places=2)

    @classmethod
    def initial_for(cls, quiz: Quiz) -> dict:
        return {"title": quiz.title, "title_en": quiz.title_en, "intro": quiz.intro,
                "kind": quiz.kind, "week": quiz.week, "open_at": quiz.open_at,
                "close_at": quiz.close_at, "time_limit_minutes": quiz.time_limit // 60,
                "grace_period": quiz.grace_period, "attempts_allowed": quiz.attempts_allowed,
                "grading_method": quiz.grading_method,
                "shuffle_questions": quiz.shuffle_questions,
                "shuffle_choices": quiz.shuffle_choices, "max_grade": quiz.max_grade,
                "weight": quiz.weight, "questions_per_page": quiz.questions_per_page}

    def review_policy(self) -> dict:
        return {window: [item for item in self.data.getlist(f"review-{window}")
                         if item in REVIEW_ITEMS] for window in REVIEW_WINDOWS}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["time_limit"] = data.pop("time_limit_minutes") * 60
        data["review_policy"] = self.review_policy()
        return data


def review_grid(policy: dict) -> list[dict]:
    """Rows (items) × columns (windows) of the review grid, with what is ticked."""
    return [{"item": item, "label": REVIEW_ITEM_LABELS[item],
             "cells": [{"window": window, "checked": item in (policy.get(window) or [])}
                       for window in REVIEW_WINDOWS]} for item in REVIEW_ITEMS]


class QuizOverrideForm(forms.Form):
    """One student's own close date, time limit and attempts; an empty field keeps the quiz's."""

    username = forms.CharField(label=_("Student (username)"), max_length=150)
    close_at = forms.DateTimeField(label=_("Closes"), required=False, **_DATETIME)
    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes, 0 = none)"),
                                            required=False, min_value=0,
                                            max_value=limits.TIME_LIMIT_MAX // 60)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed (0 = unlimited)"),
                                          required=False, min_value=0,
                                          max_value=limits.ATTEMPTS_ALLOWED_MAX)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def service_kwargs(self) -> dict:
        minutes = self.cleaned_data.get("time_limit_minutes")
        return {"close_at": self.cleaned_data.get("close_at"),
                "time_limit": None if minutes is None else minutes * 60,
                "attempts_allowed": self.cleaned_data.get("attempts_allowed")}


class GradeOverrideForm(forms.Form):
    """A teacher's grade for one student on one quiz, with the reason (empty grade: remove)."""

    quiz = forms.SlugField(label=_("Quiz"))
    username = forms.CharField(label=_("Student (username)"), max_length=150)
    grade = forms.CharField(label=_("Grade (percent; empty gives the computed grade back)"),
                            required=False, max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, quizzes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"] = forms.ChoiceField(
            label=_("Quiz"), choices=[(q.slug, q.title) for q in quizzes])
