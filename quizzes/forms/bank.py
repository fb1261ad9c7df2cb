"""Forms of the question bank's categories and its import and export pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Category, Quiz


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
