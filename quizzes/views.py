"""Quiz pages for students (take, review, dispute) and teachers (results, regrade, grades)."""

from __future__ import annotations

import csv
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import forbidden, require_attempt_owner, teacher_access_get

from . import (
    attempt_runtime,
    limits,
    qtype_registry,
    qtypes,
    reports,
    selectors,
    services,
    session_proofs,
)
from .forms import GradeOverrideForm, QuizOverrideForm
from .models import Attempt, Dispute, Question, Quiz, QuizOverride, Response


def course_quiz_section(request: HttpRequest, access) -> str:
    """The course page's block: this course's quizzes with the student's grade in each."""
    quizzes = list(selectors.quiz_list_for_course(access=access))
    attempts = {}
    for attempt in Attempt.objects.filter(quiz__in=quizzes, user=request.user):
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    now = timezone.now()
    overrides = selectors.grade_overrides_current(quizzes=quizzes, user_ids=[request.user.pk])
    rows = [{"quiz": q, "grade": selectors.user_quiz_grade(
                quiz=q, attempts=attempts.get(q.pk, []), viewer_can_teach=access.can_teach,
                now=now, override=overrides.get((request.user.pk, q.pk))),
             "open": any(a.is_open for a in attempts.get(q.pk, []))} for q in quizzes]
    # Self-checks are ungraded and linked from their lessons; listed apart, folded away.
    practice = [r for r in rows if r["quiz"].kind == Quiz.Kind.PRACTICE]
    rows = [r for r in rows if r["quiz"].kind != Quiz.Kind.PRACTICE]
    return render_to_string("quizzes/_course_section.html",
                            {"rows": rows, "practice_rows": practice, "access": access,
                             "course": access.course},
                            request=request)


def _error(request: HttpRequest, exc: ApplicationError, target: str) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(target)


def _form_errors_as_messages(request: HttpRequest, form) -> None:
    """A form posted from a section of another page: its errors, each named by its field, go
    back to that page as messages."""
    for field_name, errors in form.errors.items():
        label = form.fields[field_name].label if field_name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
def quiz_detail(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access, quiz = selectors.quiz_get_for_user(user=request.user, course_slug=course_slug,
                                               quiz_slug=quiz_slug)
    attempts = list(quiz.attempts.filter(user=request.user).order_by("number"))
    for attempt in attempts:
        if services.attempt_finish_if_overdue(attempt=attempt):
            attempt.refresh_from_db()
    open_attempt = next((a for a in attempts if a.is_open), None)
    now = timezone.now()
    terms = services.quiz_terms_for(quiz=quiz, user=request.user)
    can_start = (open_attempt is None and quiz.published
                 and not (quiz.open_at and now < quiz.open_at)
                 and not (terms.close_at and now >= terms.close_at)
                 and not (terms.attempts_allowed and len(attempts) >= terms.attempts_allowed))
    return render(request, "quizzes/quiz_detail.html", {
        "access": access, "course": access.course, "quiz": quiz, "terms": terms,
        "attempts": selectors.attempt_marks_list(attempts=attempts,
                                                 viewer_can_teach=access.can_teach, now=now),
        "open_attempt": open_attempt, "can_start": can_start,
        "grade": selectors.user_quiz_grade(
            quiz=quiz, attempts=attempts, viewer_can_teach=access.can_teach, now=now,
            override=selectors.grade_overrides_current(
                quizzes=[quiz], user_ids=[request.user.pk]).get((request.user.pk, quiz.pk))),
        "question_count": quiz.slots.count(),
    })


@login_required
@require_POST
def attempt_start(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access, quiz = selectors.quiz_get_for_user(user=request.user, course_slug=course_slug,
                                               quiz_slug=quiz_slug)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except ApplicationError as exc:
        return _error(request, exc, request.path.rsplit("start/", 1)[0])
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    access, attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    attempt = attempt_runtime.attempt_close_if_overdue(attempt=attempt)
    if not attempt.is_open:
        return redirect("quizzes:review", attempt_id=attempt.pk)
    if attempt.user_id != request.user.pk:
        return redirect("quizzes:review", attempt_id=attempt.pk)
    if not attempt.quiz.published and not access.can_teach:
        raise forbidden(_("Your instructor has hidden this quiz for now. Your saved "
                          "answers are kept; come back when the quiz is shown again."))
    responses = selectors.attempt_responses(attempt=attempt)
    if services.attempt_images_redraw(attempt=attempt, responses=responses):
        responses = selectors.attempt_responses(attempt=attempt)
    questions = selectors.attempt_questions(attempt=attempt, responses=responses)
    # One question per page: `?page=N` (1-based; out of range or malformed shows the nearest
    # page). The navigator always lists every question.
    one_per_page = attempt.quiz.questions_per_page == 1 and len(questions) > 1
    page = _page_number(request.GET.get("page"), len(questions)) if one_per_page else 1
    shown = questions[page - 1:page] if one_per_page else questions
    return render(request, "quizzes/attempt.html", {
        "access": access, "course": access.course, "quiz": attempt.quiz, "attempt": attempt,
        "questions": questions, "shown": shown, "now": timezone.now(),
        "one_per_page": one_per_page, "page": page,
        "previous_page": page - 1 if one_per_page and page > 1 else None,
        "next_page": page + 1 if one_per_page and page < len(questions) else None,
    })


def _page_number(value: str | None, count: int) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(count, 1))


def _attempt_page_url(attempt: Attempt, page: int | None, number: int | None = None) -> str:
    url = reverse("quizzes:attempt", args=[attempt.pk])
    if page and attempt.quiz.questions_per_page == 1:
        url += f"?page={page}"
    return url + (f"#q{number}" if number else "")


@login_required
@require_POST
def attempt_goto(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Previous / next / a navigator jump: save what the form sent, then show that page."""
    attempt = _attempt_seen(request, attempt_id)
    try:
        require_attempt_owner(user=request.user, attempt_user_id=attempt.user_id)
        for problem in _save_whole_form(request, attempt):
            messages.warning(request, problem)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:review", attempt_id=attempt_id)
    count = attempt.responses.count()
    page = _page_number(request.POST.get("goto"), count)
    return redirect(_attempt_page_url(attempt, page, page))


@login_required
@require_POST
def response_flag(request: HttpRequest, attempt_id: int, slot_id: int) -> HttpResponse:
    """Flag a question for later, or clear the flag (`flagged` = 1 or 0). htmx gets the new
    button and navigator entry; the form without JavaScript is saved too, then shown again."""
    flagged = request.POST.get("flagged") == "1"
    attempt = _attempt_seen(request, attempt_id)
    try:
        require_attempt_owner(user=request.user, attempt_user_id=attempt.user_id)
        if not request.htmx:
            for problem in _save_whole_form(request, attempt):
                messages.warning(request, problem)
        flagged = services.response_flag_set(attempt=attempt, slot_id=slot_id, flagged=flagged)
    except ApplicationError as exc:
        if request.htmx:
            html = render_to_string("quizzes/_save_status.html", {"error": exc.message})
            return HttpResponse(html, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect("quizzes:review", attempt_id=attempt_id)
    response = attempt.responses.only("position", "answer", "slot_id").get(slot_id=slot_id)
    if request.htmx:
        return render(request, "quizzes/_flag.html", {
            "attempt": attempt, "q": {"slot_id": slot_id, "number": response.position,
                                      "flagged": flagged,
                                      "answered": response.answer is not None},
            "oob": True})
    return redirect(_attempt_page_url(attempt, response.position, response.position))


def _attempt_seen(request: HttpRequest, attempt_id: int) -> Attempt:
    """The attempt if the user may see it; a user who may not (not in the course) is refused
    outright with a 403 page. The pages that then refuse its teachers (only the owner changes
    an attempt) do so with a message, which is why the two checks are apart."""
    return selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)[1]


def _own_open_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = _attempt_seen(request, attempt_id)
    require_attempt_owner(user=request.user, attempt_user_id=attempt.user_id)
    return attempt_runtime.attempt_close_if_overdue(attempt=attempt)


def response_autosave(request: HttpRequest, attempt_id: int, slot_id: int) -> HttpResponse:
    """Save one question's form fields (sent by htmx on every change). Returns a status line.

    A request that carries its session's proof saves in one statement that checks the session
    itself (quizzes.session_proofs); anything else, and every refusal or conflict, takes the
    long way, which reads the session and the user first."""
    prefix = f"s{slot_id}-"
    base = _sent_sequence(request, prefix)

    def parse(shape):
        return shape.qtype.parse_form(shape.question_data, request.POST, prefix, shape.layout)

    post = request.method == "POST" and base is not None
    proof = session_proofs.proof_for(request) if post else None
    known_tried = False
    if proof is not None:
        try:
            result = attempt_runtime.response_save_known(
                session=proof, attempt_id=attempt_id, slot_id=slot_id, base_sequence=base,
                parse=parse)
        except attempt_runtime.SessionNotProven:
            session_proofs.forget(request)
        else:
            if result is not None:
                session_proofs.mark_read(request)
                return _save_status(request, result, slot_id)
            known_tried = True
    if post and request.htmx and not request.user.is_authenticated:
        return _logged_out_status(request, attempt_id)
    return _autosave_as_user(request, attempt_id, slot_id, base=base, parse=parse,
                             known_tried=known_tried)


def _sent_sequence(request: HttpRequest, prefix: str) -> int | None:
    """The sequence a question's form sent (the one its page last received), or None when it
    is not a whole number a save can carry: the page is malformed or was edited."""
    try:
        base = int(request.POST.get(f"{prefix}sequence", "0"))
    except ValueError:
        return None
    return base if 0 <= base <= limits.SEQUENCE_MAX else None


def _logged_out_status(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The status line of an autosave whose session has ended (a logout in another tab, an
    expiry), with a link to log in that leads back to the attempt. A redirect would put the
    login page inside the status line. The link replaces this page: a login rotates the CSRF
    token, so this page's later saves would be refused."""
    login = redirect_to_login(reverse("quizzes:attempt", args=[attempt_id])).url
    html = render_to_string("quizzes/_save_status.html", {
        "error": _("You are logged out, so this answer was not saved. Log in again: you come "
                   "back to this attempt with your saved answers, and can choose this one "
                   "again."),
        "code": "not_authenticated", "login_url": login}, request=request)
    return HttpResponse(html, status=403)


@login_required
@require_POST
def _autosave_as_user(request: HttpRequest, attempt_id: int, slot_id: int, *, base: int | None,
                      parse, known_tried: bool) -> HttpResponse:
    try:
        if base is None:
            # Who may save comes first, then what was sent.
            attempt_runtime.attempt_get_own(user=request.user, attempt_id=attempt_id)
            return HttpResponseBadRequest(_("The page sent a malformed save; reload it."))
        result = attempt_runtime.response_save_for_user(
            user=request.user, attempt_id=attempt_id, slot_id=slot_id, base_sequence=base,
            parse=parse, known_tried=known_tried)
    except ApplicationError as exc:
        status = exc.status_code
        html = render_to_string("quizzes/_save_status.html", {"error": exc.message,
                                                              "code": exc.code})
        # The page is stale once the attempt is closed: ask htmx to reload it (to the review).
        closed = exc.code in ("time_up", "attempt_closed")
        return HttpResponse(html, status=status, headers={"HX-Refresh": "true"} if closed else {})
    return _save_status(request, result, slot_id)


def _save_status(request: HttpRequest, result, slot_id: int) -> HttpResponse:
    return render(request, "quizzes/_save_status.html", {
        "result": result, "prefix": f"s{slot_id}-", "slot_id": slot_id,
        "number": result.position, "flagged": result.flagged,
    }, status=409 if result.conflict else 200)


def _save_whole_form(request: HttpRequest, attempt: Attempt) -> list[str]:
    """Save every question posted by the non-JavaScript form (one read for all of them, then
    the save service per changed answer); return problems to show."""
    problems = []
    for shape, stored in attempt_runtime.response_shapes_for(attempt=attempt):
        prefix = f"s{shape.slot_id}-"
        if f"{prefix}sequence" not in request.POST:
            continue
        try:
            answer = shape.qtype.parse_form(shape.question_data, request.POST, prefix,
                                            shape.layout)
        except qtypes.ResponseError as exc:
            problems.append(str(exc))
            continue
        base = _sent_sequence(request, prefix)
        if base is None:
            problems.append(_("Question %(n)s was not saved: the page sent a malformed save; "
                              "reload it.") % {"n": shape.position})
            continue
        if answer == stored:
            continue
        result = attempt_runtime.response_save_for_user(
            user=request.user, attempt_id=attempt.pk, slot_id=shape.slot_id,
            base_sequence=base, parse=lambda _shape, answer=answer: answer)
        if result.conflict:
            problems.append(_("Question %(n)s was changed in another window; check it.")
                            % {"n": shape.position})
    return problems


@login_required
def attempt_summary(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """'Finish attempt': save what the form sent, list unanswered items, confirm submit."""
    attempt = _attempt_seen(request, attempt_id)
    try:
        require_attempt_owner(user=request.user, attempt_user_id=attempt.user_id)
        if not attempt.is_open:
            return redirect("quizzes:review", attempt_id=attempt.pk)
        if request.method == "POST":
            for problem in _save_whole_form(request, attempt):
                messages.warning(request, problem)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:review", attempt_id=attempt_id)
    questions = selectors.attempt_questions(attempt=attempt)
    unanswered = [q for q in questions if q.response is None and q.scored]
    return render(request, "quizzes/attempt_summary.html", {
        "course": attempt.quiz.course, "quiz": attempt.quiz, "attempt": attempt,
        "questions": questions, "unanswered": unanswered,
        "flagged": [q for q in questions if q.flagged],
    })


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_seen(request, attempt_id)
    try:
        require_attempt_owner(user=request.user, attempt_user_id=attempt.user_id)
        services.attempt_submit(attempt=attempt)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("quizzes:review", attempt_id=attempt_id)


@login_required
def attempt_review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    access, attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    attempt = attempt_runtime.attempt_close_if_overdue(attempt=attempt)
    if attempt.is_open:
        if attempt.user_id == request.user.pk:
            return redirect("quizzes:attempt", attempt_id=attempt.pk)
    now = timezone.now()
    items = selectors.review_items(attempt=attempt, viewer_can_teach=access.can_teach, now=now)
    questions = selectors.attempt_questions(attempt=attempt, items=items)
    services.attempt_review_reveal(attempt=attempt, user=request.user,
                                   can_teach=access.can_teach, questions=questions)
    return render(request, "quizzes/review.html", {
        "access": access, "course": access.course, "quiz": attempt.quiz, "attempt": attempt,
        "questions": questions, "items": items,
        "show_marks": selectors.attempt_marks_visible(
            attempt=attempt, viewer_can_teach=access.can_teach, now=now),
        "is_owner": attempt.user_id == request.user.pk,
    })


@login_required
@require_POST
def dispute_create(request: HttpRequest, attempt_id: int, response_id: int) -> HttpResponse:
    access, attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    attempt = attempt_runtime.attempt_close_if_overdue(attempt=attempt)
    response = get_object_or_404(Response.objects.select_related("version", "attempt"),
                                 pk=response_id, attempt=attempt)
    try:
        services.dispute_create(user=request.user, response=response,
                                comment=request.POST.get("comment", ""))
        messages.success(request, _("Your dispute was sent to the instructor."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"/attempts/{attempt_id}/review/#q{response.position}")


# ---------------------------------------------------------------------------------------------
# Teachers
# ---------------------------------------------------------------------------------------------


@login_required
def quiz_results(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    report = reports.quiz_report(quiz=quiz)
    disputes = list(selectors.disputes_for_quiz(quiz=quiz))
    by_question: dict[int, list[Dispute]] = {}
    for dispute in disputes:
        by_question.setdefault(dispute.question_id, []).append(dispute)
    for item in report.items:
        item.disputes = by_question.get(item.slot.question_id, [])
        if item.slot.question_id:
            item.pool = qtype_registry.get(item.qtype).stats_supply(
                course=quiz.course, question=item.slot.question)
    attempts = list(quiz.attempts.select_related("user").order_by("user__username", "number"))
    return render(request, "quizzes/results.html", {
        "access": access, "course": access.course, "quiz": quiz, "report": report,
        "attempts": attempts, "disputes": disputes,
        "overrides": selectors.quiz_overrides(quiz=quiz),
        "graded_by_hand": selectors.responses_graded_by_hand(quiz=quiz),
        "override_form": QuizOverrideForm(prefix="override"),
        "histogram_labels": [f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100"
                             for i in range(len(report.histogram))],
        "facility_values": [item.stats.facility for item in report.items],
        "discrimination_values": [item.stats.discrimination for item in report.items],
        "item_labels": [str(item.slot.position) for item in report.items],
    })


@login_required
@require_POST
def quiz_override(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    """Set (or, with every field empty, remove) one student's override of the close date, time
    limit and attempts allowed; their open attempt's deadline is recomputed at once."""
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    target = reverse("quizzes:results", args=[course_slug, quiz_slug]) + "#overrides-heading"
    form = QuizOverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return redirect(target)
    student = selectors.course_student_get(course=access.course,
                                           username=form.cleaned_data["username"])
    if student is None:
        messages.error(request, _("No student with the username %(u)s in this course. Check "
                                  "the spelling on the course's enrolment list.") % {
            "u": form.cleaned_data["username"]})
        return redirect(target)
    try:
        services.quiz_override_set(quiz=quiz, user=student, **form.service_kwargs())
    except ApplicationError as exc:
        return _error(request, exc, target)
    messages.success(request, _("Saved the override for %(u)s.") % {"u": student.username})
    return redirect(target)


@login_required
@require_POST
def quiz_override_delete(request: HttpRequest, course_slug: str, quiz_slug: str,
                         override_id: int) -> HttpResponse:
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    override = get_object_or_404(QuizOverride.objects.select_related("user"), pk=override_id,
                                 quiz=quiz)
    services.quiz_override_delete(quiz=quiz, user=override.user)
    messages.success(request, _("Removed the override for %(u)s; the quiz's settings hold "
                                "again.") % {"u": override.user.username})
    return redirect(reverse("quizzes:results", args=[course_slug, quiz_slug])
                    + "#overrides-heading")


@login_required
@require_POST
def dispute_answer(request: HttpRequest, course_slug: str, quiz_slug: str,
                   dispute_id: int) -> HttpResponse:
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    dispute = get_object_or_404(Dispute, pk=dispute_id, quiz=quiz)
    services.dispute_answer(dispute=dispute, user=request.user,
                            reply=request.POST.get("reply", ""),
                            accept=request.POST.get("accept") == "1")
    messages.success(request, _("The student will see your answer on their review page."))
    return redirect("quizzes:results", course_slug=course_slug, quiz_slug=quiz_slug)


@login_required
def question_edit(request: HttpRequest, course_slug: str, quiz_slug: str,
                  question_id: int) -> HttpResponse:
    """Fix a question from the quiz's results: the bank's editor, which then leads on to the
    regrade's dry run."""
    from urllib.parse import urlencode

    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    regrade_url = reverse("quizzes:regrade", args=[course_slug, quiz.slug, question.pk])
    return redirect(reverse("bank:question-edit", args=[course_slug, question.pk])
                    + "?" + urlencode({"next": regrade_url}))


@login_required
def regrade(request: HttpRequest, course_slug: str, quiz_slug: str,
            question_id: int) -> HttpResponse:
    """GET: the dry run (who changes, old → new). POST: commit and log it."""
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    if request.method == "POST":
        log = services.regrade_commit(quiz=quiz, question=question, user=request.user,
                                      reason=request.POST.get("reason", "")[:255])
        changed = sum(services.mark_changed(c["old"], c["new"], c.get("old_mark"),
                                            c.get("new_mark")) for c in log.changes)
        messages.success(request, ngettext(
            "Regraded %(n)s attempt; %(c)s marks changed.",
            "Regraded %(n)s attempts; %(c)s marks changed.", len(log.changes)) % {
            "n": len(log.changes), "c": changed})
        return redirect("quizzes:results", course_slug=course_slug, quiz_slug=quiz_slug)
    plan = services.regrade_plan(quiz=quiz, question=question)
    return render(request, "quizzes/regrade.html", {
        "access": access, "course": access.course, "quiz": quiz, "question": question,
        "plan": plan, "changed": [c for c in plan.changes if c.changed],
    })


@login_required
def quiz_grading(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    """Answers a person grades (essays), those awaiting a grade first, in one form as Moodle's
    manual grading page has them. POST saves every mark or comment the grader changed, each a
    mark from 0 to its question's maximum; all or none. The attempts' scores, and so the quiz
    grades, follow; the student reads the comment with the feedback."""
    access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                  quiz_slug=quiz_slug)
    responses = _graded_by_hand_shown(quiz)
    status = 200
    if request.method == "POST":
        changed = _hand_marks_changed(request.POST, responses)
        try:
            services.responses_grade_manually(changed)
        except services.HandMarksRefused as refused:
            messages.error(request, refused.message)
            status = 400
            typed = {mark.response.pk for mark in changed}
            responses = _graded_by_hand_shown(quiz)  # as they are now
            for response in responses:
                response.grade_error = refused.errors.get(response.pk)
                if (response.pk in typed and getattr(response.grade_error, "code", None)
                        != "changed_meanwhile"):
                    # What the grader changed stays in the form. Elsewhere the form shows the
                    # answers as they are now: sent again, an answer the grader left as it was
                    # must not put back a mark another grader has changed since.
                    response.mark_text = request.POST.get(f"mark-{response.pk}",
                                                          response.mark_text)
                    response.manual_comment = _comment_sent(request.POST, response)
        else:
            if changed:
                messages.success(request, ngettext(
                    "Saved %(n)s mark.", "Saved %(n)s marks.", len(changed)) % {"n": len(changed)})
            else:
                messages.info(request, _("No mark or comment was changed: nothing to save."))
            return redirect("quizzes:grading", course_slug=course_slug, quiz_slug=quiz_slug)
    return render(request, "quizzes/grading.html", {
        "access": access, "course": access.course, "quiz": quiz, "responses": responses,
        "awaiting": sum(r.state == "needs_grading" for r in responses),
        "comment_max": limits.COMMENT_MAX,
    }, status=status)


def _graded_by_hand_shown(quiz: Quiz) -> list[Response]:
    """The quiz's answers graded by hand, each with the mark as its field shows it and the
    token of what the page shows (services.hand_mark_token)."""
    responses = selectors.responses_graded_by_hand(quiz=quiz)
    for response in responses:
        response.mark_text = services.hand_mark_text(response)
        response.shown = services.hand_mark_token(response.mark_text, response.manual_comment)
    return responses


def _hand_marks_changed(form, responses) -> list[services.HandMark]:
    """The marks of `responses` whose mark or comment the grading form changed from what it
    showed (so an ungraded answer left empty is no mark), with the token of what it showed."""
    changed = []
    for response in responses:
        mark = form.get(f"mark-{response.pk}")
        if mark is None:
            continue  # not in the form the grader sent (submitted since the page was built)
        mark, comment = mark.strip(), _comment_sent(form, response)
        # A form without what it showed (a script's) is compared with what is stored now.
        seen = form.get(f"shown-{response.pk}")
        if services.hand_mark_token(mark, comment) == (response.shown if seen is None else seen):
            continue
        changed.append(services.HandMark(response, mark, comment, seen))
    return changed


def _comment_sent(form, response) -> str:
    # A textarea sends its line breaks as CRLF; they are stored as the API stores them.
    return form.get(f"comment-{response.pk}", response.manual_comment).replace("\r\n", "\n")


# A spreadsheet runs a cell that starts with one of these as a formula (or, for tab and CR,
# after stripping them); a leading quote makes it text. Numbers we format are left as numbers.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_safe_cell(value: str) -> str:
    """`value` made safe against formula injection when a spreadsheet opens the CSV."""
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _grade_cell(grade: selectors.QuizGrade) -> str:
    return f"{grade.percent:.1f}" if grade.percent is not None else grade.label


@login_required
def gradebook(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Teachers: everyone's grades. A student: their own grades page, with only the marks the
    review policy shows them."""
    from courses.access import course_access_get

    access = course_access_get(user=request.user, course_slug=course_slug)
    only = None if access.can_teach else request.user
    quizzes, rows = selectors.gradebook(access=access, only_user=only)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{course_slug}-grades.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 Korean correctly only with a BOM
        writer = csv.writer(response)
        header = ["username", "name", *[q.slug for q in quizzes], "average_of_graded_quizzes",
                  "graded_quizzes", "overridden_quizzes"]
        writer.writerow([csv_safe_cell(cell) for cell in header])
        # No username can begin with "#", so this row cannot be mistaken for a student's.
        writer.writerow(["#weight", "", *[_number(q.weight) for q in quizzes], "", "", ""])
        for row in rows:
            cells = [row.username, row.name, *[_grade_cell(g) for g in row.grades],
                     "" if row.total is None else f"{row.total:.1f}", str(row.counted),
                     " ".join(q.slug for q, g in zip(quizzes, row.grades, strict=True)
                              if g.overridden)]
            writer.writerow([csv_safe_cell(cell) for cell in cells])
        return response
    if not access.can_teach:
        row = rows[0] if rows else None
        return render(request, "quizzes/my_grades.html", {
            "access": access, "course": access.course, "row": row,
            "grades": list(zip(quizzes, row.grades, strict=True)) if row else [],
            "quiz_count": len(quizzes),
        })
    return render(request, "quizzes/gradebook.html", {
        "access": access, "course": access.course, "quizzes": quizzes, "rows": rows,
        "override_form": GradeOverrideForm(prefix="grade", quizzes=quizzes),
        "override_history": selectors.grade_override_history(quiz_ids=[q.pk for q in quizzes]),
    })


def _number(value) -> str:
    """A Decimal without trailing zeros (2.50 → 2.5, 1.00 → 1)."""
    text = format(value.normalize(), "f")
    return text


@login_required
@require_POST
def grade_override(request: HttpRequest, course_slug: str) -> HttpResponse:
    """A teacher's grade for one student on one quiz, with the reason (kept as history)."""
    access = teacher_access_get(user=request.user, course_slug=course_slug,
                                message=_("Only the course's teachers can change grades."))
    quizzes = list(selectors.quiz_list_for_course(access=access)
                   .exclude(kind=Quiz.Kind.PRACTICE))
    target = reverse("quizzes:gradebook", args=[course_slug]) + "#overrides-heading"
    form = GradeOverrideForm(request.POST, prefix="grade", quizzes=quizzes)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return redirect(target)
    quiz = next(q for q in quizzes if q.slug == form.cleaned_data["quiz"])
    student = selectors.course_student_get(course=access.course,
                                           username=form.cleaned_data["username"].strip())
    if student is None:
        messages.error(request, _("No student with the username %(u)s in this course. Check "
                                  "the spelling on the course's enrolment list.") % {
            "u": form.cleaned_data["username"].strip()})
        return redirect(target)
    try:
        row = services.grade_override_set(quiz=quiz, user=student,
                                          grade=form.cleaned_data["grade"] or None,
                                          reason=form.cleaned_data["reason"], by=request.user)
    except ApplicationError as exc:
        return _error(request, exc, target)
    if row.grade is None:
        messages.success(request, _("%(u)s's grade on %(q)s is the computed one again.") % {
            "u": student.username, "q": quiz.title})
    else:
        messages.success(request, _("Saved %(g)s%% for %(u)s on %(q)s.") % {
            "g": _number(row.grade), "u": student.username, "q": quiz.title})
    return redirect(target)
