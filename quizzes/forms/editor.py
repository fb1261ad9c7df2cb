"""The question editor: the common fields plus one input per item of the type's ``data``
(choices, answers, pairs, options…), as the type's editor spec (`quizzes.qtypes_django`) lists
them. Inputs are named after the item's data path so that a `QuestionDataError` path such as
``choices[2].fraction`` lands on the input ``d-choices-2-fraction``. Blank rows are dropped
before validation, and error paths are mapped back to the row the author typed in.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError

from .. import limits, qtype_registry
from ..models import Category
from ..qtypes_django.base import EditorInputError, ListSpec, Scalar
from .editor_fields import (
    META_FIELDS,
    PATH,
    Cell,
    ListBlock,
    Row,
    ScalarField,
    convert,
    fraction_value,
    grade_choices,
    match_choice,
    number_text,
)


class QuestionEditor:
    """The question form, bound to POST data or filled from a stored version.

    `cleaned()` gives the values for `authoring.question_save` (or None when an input could not
    be read); `add_error()` / `apply_error()` attach messages to the input at fault.
    """

    # Every item of the largest question an import may bring, plus the blank row the page adds:
    # fewer would silently drop the last items when such a question is saved from here.
    MAX_ROWS = limits.ANSWERS_MAX + 1

    def __init__(self, *, qtype: str, categories: list[Category], post=None, version=None,
                 question=None, initial_category: Category | None = None,
                 add_row: str = "") -> None:
        self.qtype = qtype
        self.web = qtype_registry.get(qtype)
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
            data = self.web.editor_values(dict(version.data)) if version is not None else {}
            self._rows = {spec.key: self._initial_rows(data.get(spec.key) or [], spec)
                          for spec in self.lists_spec}
            self._scalars = {s.key: self._initial_scalar(data, s) for s in self.scalars_spec}
        if add_row in self._rows and len(self._rows[add_row]) < self.MAX_ROWS:
            spec = next(s for s in self.lists_spec if s.key == add_row)
            self._rows[add_row].append(self._blank_row(spec))

    # -- reading -------------------------------------------------------------------------------

    @property
    def lists_spec(self) -> tuple[ListSpec, ...]:
        return self.web.editor.lists

    @property
    def scalars_spec(self) -> tuple[Scalar, ...]:
        return self.web.editor.scalars

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
                    row[col.key] = number_text(value)
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
                    "default_mark": "1" if self.web.scored else "0",
                    "change_note": ""}
        return {"name": question.name, "category": str(question.category_id),
                "tags": ", ".join(question.tags or []), "key": question.key,
                "text_format": version.text_format, "stem": version.stem,
                "general_feedback": version.general_feedback,
                "default_mark": number_text(float(version.default_mark)), "change_note": ""}

    # -- converting --------------------------------------------------------------------------

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))

    def _convert(self, name: str, kind: str, raw: str) -> Any:
        value, error = convert(name, kind, raw)
        if error:
            self.add_error(name, error)
        return value

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
        if len(self.errors) == before:
            try:
                data = self.web.editor_data(data)
            except EditorInputError as exc:
                self.add_error(exc.field, exc.message)
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
        elif not limits.in_range(mark, 0, limits.MARK_MAX) and self.web.scored:
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
        found = PATH.match(path)
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
                    choices = (grade_choices(current, col.kind == "grade_pos")
                               if col.kind in ("grade", "grade_pos") else [])
                    value = row.get(col.key, "")
                    if choices:
                        value = match_choice(value, choices)
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
