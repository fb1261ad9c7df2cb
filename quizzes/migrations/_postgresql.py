"""SQL that only PostgreSQL runs (functions the exam's hot statements live in); SQLite, the
embedded setup, takes the ORM's path instead. Not a migration: the loader skips `_` modules."""

from django.db import migrations


def run_on_postgresql(sql: str, reverse_sql: str) -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forward, backward)
