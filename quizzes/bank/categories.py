"""The bank's categories: create, rename, move, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import teacher_access_get

from .. import authoring
from ..forms import (
    CategoryForm,
)
from ..models import Question
from .common import (
    category_list,
    category_tree,
)


@login_required
def categories_page(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    categories = category_list(access.course)
    form = CategoryForm(categories=categories)
    if request.method == "POST":
        form = CategoryForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                category = authoring.category_create(
                    course=access.course, name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"], info=form.cleaned_data["info"])
            except ApplicationError as exc:
                for name, errors in exc.fields.items() or {"__all__": [exc.message]}.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(request, _("Category %(c)s created.") % {"c": category.path})
                return redirect("bank:categories", course_slug=course_slug)
    counts = dict(Question.objects.filter(course=access.course).values("category_id")
                  .annotate(n=Count("id")).values_list("category_id", "n"))
    tree = category_tree(categories, counts)
    for row in tree:
        row["form"] = CategoryForm(categories=[c for c in categories
                                               if c.pk != row["category"].pk],
                                   prefix=f"c{row['category'].pk}",
                                   initial={"name": row["category"].name,
                                            "parent": row["category"].parent_id or "",
                                            "info": row["category"].info})
    return render(request, "quizzes/bank/categories.html", {
        "access": access, "course": access.course, "tree": tree, "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def category_update(request: HttpRequest, course_slug: str, category_id: int) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    categories = category_list(access.course)
    category = next((c for c in categories if c.pk == category_id), None)
    if category is None:
        raise Http404(_("No such category."))
    if request.POST.get("delete"):
        try:
            authoring.category_delete(category=category)
            messages.success(request, _("Category %(c)s deleted.") % {"c": category.path})
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("bank:categories", course_slug=course_slug)
    form = CategoryForm(request.POST, categories=categories, prefix=f"c{category.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the category a name."))
        return redirect("bank:categories", course_slug=course_slug)
    try:
        authoring.category_update(category=category, name=form.cleaned_data["name"],
                                  parent=form.cleaned_data["parent"],
                                  info=form.cleaned_data["info"])
        messages.success(request, _("Category saved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("bank:categories", course_slug=course_slug)
