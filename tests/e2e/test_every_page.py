"""Every page of the course, in Korean and English, as a student, an instructor and a TA, on a
375 px phone: no literal Markdown, no raw question-type or demo-kind codes, no untranslated UI
string on a Korean page, no clipped display formula and no horizontal scroll.

All offences are collected first and reported together, each with its page and a snippet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 800}
CODES = ["single_choice", "multiple_response", "true_false", "short_answer", "numerical",
         "matching", "select_missing_words", "essay", "description", "cloze", "spot_the_fake",
         "face-generate", "fake-detect", "caption", "latent-walk"]
PO = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# One evaluate per page: the visible text (outside code/pre, scripts and hidden elements) as a
# list of text-node strings, plus the layout measurements.
AUDIT_JS = r"""
() => {
  const texts = [];
  const skip = new Set(['SCRIPT', 'STYLE', 'CODE', 'PRE', 'NOSCRIPT', 'TEMPLATE', 'KBD',
                        'SAMP', 'TEXTAREA', 'math']);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const s = node.nodeValue.trim();
    if (!s) continue;
    let el = node.parentElement, hidden = false;
    for (let e = el; e; e = e.parentElement) {
      if (skip.has(e.tagName) || skip.has(e.localName)) { hidden = true; break; }
    }
    if (hidden || !el.checkVisibility({checkOpacity: false, checkVisibilityCSS: true})) continue;
    texts.push(s);
  }
  const clipped = [];
  for (const m of document.querySelectorAll('math[display=block]')) {
    if (!m.checkVisibility()) continue;
    const box = m.getBoundingClientRect();
    let c = m.parentElement;
    while (c && c !== document.body) {
      const st = getComputedStyle(c);
      if (/(auto|scroll|hidden)/.test(st.overflowX + st.overflowY)) break;
      c = c.parentElement;
    }
    if (c && c !== document.body) {
      const cb = c.getBoundingClientRect();
      if (c.scrollHeight > c.clientHeight + 1 || box.top < cb.top - 1 || box.bottom > cb.bottom + 1)
        clipped.push((m.textContent || '').trim().slice(0, 60));
    }
  }
  // The widest offenders: elements reaching past the viewport whose children do not.
  const wide = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    for (const e of document.body.querySelectorAll('*')) {
      if (e.getBoundingClientRect().right <= window.innerWidth + 1) continue;
      if ([...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
        continue;
      wide.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                + ' ' + (e.textContent || '').trim().slice(0, 40));
      if (wide.length >= 3) break;
    }
  }
  return {texts, clipped, wide, scrollWidth: document.documentElement.scrollWidth,
          lang: document.documentElement.lang};
}
"""

MARKDOWN = [
    (re.compile(r"\*\*"), "**"),
    (re.compile(r"(?<![\w/])__\w"), "__"),
    (re.compile(r"\]\("), "]("),
    (re.compile(r"^#{1,6}\s"), "leading #"),
]


def _po_strings() -> list[str]:
    """English msgids that have a Korean msgstr, three words or longer, without placeholders."""
    out, msgid, msgstr, state = [], [], [], None

    def flush():
        mid, mstr = "".join(msgid), "".join(msgstr)
        if mid and mstr and len(mid.split()) >= 3 and "%" not in mid and "{" not in mid:
            out.append(mid)

    for line in PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, state = [_unquote(line[6:])], [], "id"
        elif line.startswith("msgstr "):
            msgstr, state = [_unquote(line[7:])], "str"
        elif line.startswith('"') and state:
            (msgid if state == "id" else msgstr).append(_unquote(line))
        elif line.startswith("#~") or not line.strip():
            if state == "str":
                flush()
                msgid, msgstr = [], []
            state = None
    flush()
    return sorted(set(out), key=len, reverse=True)


def _unquote(s: str) -> str:
    s = s.strip()
    return s[1:-1].replace('\\"', '"').replace("\\n", "\n") if s.startswith('"') else s


@pytest.fixture
def prepared(accounts, course):
    """The student has an attempt open on every quiz and a submitted week-7 attempt."""
    from quizzes import services
    from quizzes.models import Quiz

    student = accounts["student"]
    attempts, review = [], None
    for quiz in Quiz.objects.filter(course=course).order_by("week", "slug"):
        if quiz.slug == "week07-quiz":
            done = services.attempt_start(user=student, quiz=quiz)
            services.attempt_submit(attempt=done)
            review = f"/attempts/{done.id}/review/"
            continue
        try:
            attempts.append(f"/attempts/{services.attempt_start(user=student, quiz=quiz).id}/")
        except Exception:  # noqa: BLE001 - a quiz the student cannot start has no attempt page
            continue
    return {"attempts": attempts, "review": review}


def _student_urls(course, prepared) -> list[str]:
    from quizzes.models import Quiz

    base = f"/courses/{course.slug}/"
    urls = ["/", base]
    urls += [f"{base}lessons/{slug}/"
             for slug in course.lessons.order_by("position").values_list("slug", flat=True)]
    urls += [f"{base}quizzes/{slug}/"
             for slug in Quiz.objects.filter(course=course).values_list("slug", flat=True)]
    urls += prepared["attempts"] + [prepared["review"], f"{base}grades/"]
    return urls


def _instructor_urls(course) -> list[str]:
    from quizzes.models import Question, Quiz

    base = f"/courses/{course.slug}/"
    urls = ["/", base, f"{base}grades/", f"{base}bank/", f"{base}participants/",
            f"{base}pool-photos/", "/demos/", "/demos/status/"]
    urls += [f"{base}quizzes/{slug}/results/"
             for slug in Quiz.objects.filter(course=course).values_list("slug", flat=True)]
    urls.append(f"{base}quizzes/week07-quiz/grading/")  # the quiz the student has submitted
    seen = set()
    for question in Question.objects.filter(course=course).order_by("id"):
        version = question.versions.order_by("-id").first()
        if version and version.qtype not in seen:
            seen.add(version.qtype)
            urls.append(f"{base}bank/questions/{question.id}/")
    return urls


def _audit(page, url: str, lang: str, po: list[str], offences: list[str]) -> None:
    response = page.goto(url)
    where = f"[{lang}] {url}"
    if response is None or response.status >= 400:
        offences.append(f"{where}: HTTP {response.status if response else '?'}")
        return
    result = page.evaluate(AUDIT_JS)
    texts = result["texts"]
    for text in texts:
        for pattern, name in MARKDOWN:
            if pattern.search(text):
                offences.append(f"{where}: Markdown {name!r} in {text[:80]!r}")
        for code in CODES:
            # "matching" or "caption" are also English words: those count only as a whole label.
            compound = "_" in code or "-" in code
            if (compound and re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)) or (
                    not compound and text == code):
                offences.append(f"{where}: raw code {code!r} in {text[:80]!r}")
    if lang == "ko":
        visible = "\n".join(texts)
        for msgid in po:
            if msgid in visible:
                offences.append(f"{where}: untranslated {msgid[:80]!r}")
    for formula in result["clipped"]:
        offences.append(f"{where}: clipped formula {formula!r}")
    if result["scrollWidth"] > PHONE["width"]:
        offences.append(f"{where}: horizontal scroll, scrollWidth {result['scrollWidth']}"
                         f" (widest: {result['wide']})")


def test_every_page_reads_cleanly_on_a_phone_in_both_languages(page_for, course, prepared,
                                                               django_user_model):
    from courses.services import enrollment_create

    po = _po_strings()
    offences: list[str] = []
    student_urls = _student_urls(course, prepared)
    instructor_urls = _instructor_urls(course)
    # A TA teaches the course but manages neither its participants, its pool nor the site's
    # demo workers: the teacher's pages without those.
    ta = django_user_model.objects.create_user("ta", password="ta-pass-123")
    enrollment_create(user=ta, course=course, role="ta")
    ta_urls = [u for u in instructor_urls
               if not u.endswith(("participants/", "pool-photos/", "/demos/status/"))]
    for lang, locale in (("ko", "ko-KR"), ("en", "en-US")):
        page = page_for("student", "student-pass", locale=locale, viewport=PHONE)
        for url in student_urls:
            _audit(page, url, lang, po, offences)
        page = page_for("instructor", "instructor-pass", locale=locale, viewport=PHONE)
        for url in instructor_urls:
            _audit(page, url, lang, po, offences)
        page = page_for("ta", "ta-pass-123", locale=locale, viewport=PHONE)
        for url in ta_urls:
            _audit(page, url, lang, po, offences)
    assert not offences, f"{len(offences)} offences:\n" + "\n".join(offences)
