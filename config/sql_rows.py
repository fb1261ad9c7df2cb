"""Model instances from a hand-written SQL statement, for the few reads an exam repeats
thousands of times a minute (quizzes.attempt_runtime).

Django's SQL compiler costs about a millisecond of CPU per query on the exam's hardware (a
one-row `Attempt.objects.filter(pk=…)`: 1.1 ms to compile, 0.2 ms to run), more than the
database spends on it. A statement written once and run with new parameters skips that; this
module turns its columns back into model instances the way the ORM would: every concrete field,
in model order, through the same converters (JSON decoded, SQLite's dates parsed), built with
`Model.from_db`, so the instances save, compare and lazily load relations as usual.

    reader = RowReader(Attempt, "a")
    sql = f"SELECT {reader.columns} FROM {reader.table} WHERE a.id = %s"
    attempt = reader.instance(row)            # or reader.instance(row, start) for a join

A reader built with `exclude` leaves those fields out of its columns; they are deferred on the
instances, as after `QuerySet.defer()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Model


class RowReader:
    """Reads one model's concrete fields, in `columns` order, from a row whose table is
    aliased `alias` in the statement; the fields named in `exclude` are not read (deferred)."""

    def __init__(self, model: type[Model], alias: str, using: str = "default",
                 exclude: tuple[str, ...] = ()):
        self.model, self.alias, self.using = model, alias, using
        connection = connections[using]
        fields = [f for f in model._meta.concrete_fields if f.name not in exclude]
        quote = connection.ops.quote_name
        self.table = f"{quote(model._meta.db_table)} {alias}"
        self.columns = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
        self.attnames = [f.attname for f in fields]
        self.width = len(fields)
        self._converters = []
        for i, f in enumerate(fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if found:
                self._converters.append((i, col, found))

    def instance(self, row: Sequence[Any], start: int = 0) -> Model:
        """The instance in `row[start:start + width]`."""
        values = list(row[start:start + self.width])
        connection = connections[self.using]
        for i, col, converters in self._converters:
            value = values[i]
            for convert in converters:
                value = convert(value, col, connection)
            values[i] = value
        return self.model.from_db(self.using, self.attnames, values)
