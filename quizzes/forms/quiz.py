"""Forms of a quiz's settings, its per-student overrides and a teacher's grade override."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import limits
from ..models import REVIEW_ITEMS, REVIEW_WINDOWS, Quiz
from .labels import REVIEW_ITEM_LABELS

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
