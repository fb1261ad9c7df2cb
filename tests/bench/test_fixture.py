"""The exam fixture prepares the attempts when the code base can (`prepare_attempts`) and the
benchmark is not told otherwise (BENCH_PREPARE_ATTEMPTS=0)."""

import django.core.management as management

from bench.fixture import prepare_attempts


def fake_commands(monkeypatch, present: bool) -> list:
    calls = []
    commands = dict(management.get_commands())
    if present:
        commands["prepare_attempts"] = "quizzes"
    else:
        commands.pop("prepare_attempts", None)
    monkeypatch.setattr(management, "get_commands", lambda: commands)
    monkeypatch.setattr(management, "call_command", lambda *a, **kw: calls.append(a))
    return calls


def test_the_attempts_are_prepared_when_the_command_exists(monkeypatch):
    monkeypatch.delenv("BENCH_PREPARE_ATTEMPTS", raising=False)
    calls = fake_commands(monkeypatch, present=True)
    assert prepare_attempts("bench-course", "exam") is True
    assert calls == [("prepare_attempts", "bench-course", "exam")]


def test_zero_in_the_environment_skips_them(monkeypatch):
    monkeypatch.setenv("BENCH_PREPARE_ATTEMPTS", "0")
    calls = fake_commands(monkeypatch, present=True)
    assert prepare_attempts("bench-course", "exam") is False
    assert calls == []


def test_a_code_base_without_the_command_starts_attempts_on_the_spot(monkeypatch):
    monkeypatch.delenv("BENCH_PREPARE_ATTEMPTS", raising=False)
    calls = fake_commands(monkeypatch, present=False)
    assert prepare_attempts("bench-course", "exam") is False
    assert calls == []
