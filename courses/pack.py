"""Read and validate a course pack (a folder of YAML and Markdown files) without touching the DB.

`read_course_pack` collects every problem in the pack before it gives up, so an author fixes them
all in one pass; each problem names the file, the line and what to change. Writing to the database
happens in `courses.services.course_pack_apply`, only after the whole pack has been read cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rendering import DirectiveError, render_markdown
from .yaml_lines import LineDict, YamlError, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_MATH_ERROR_RE = re.compile(r'<code class="math-error">(.*?)</code>', re.DOTALL)
# latex2mathml passes a command it does not know through as text ("\arg" on the page) and
# leaves an empty operator where an \operatorname or \mathop name held another command.
_MATH_UNKNOWN_RE = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)</m[io]>")
_MATH_EMPTY_OPERATOR = "<mo></mo>"
# A word written as a sub- or superscript (E_{input}) renders as a row of italic variables
# i·n·p·u·t; the author means \text{input}. Three or more single letters in a script's row.
_MATH_SCRIPT_WORD_RE = re.compile(
    r"<(msub|msup|msubsup)>(?:(?!</\1>).)*?<mrow>((?:<mi>[A-Za-z]</mi>){3,})</mrow>", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class PackError(Exception):
    """The pack has problems; nothing was written. `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LessonSpec:
    slug: str
    session: int
    title: str
    title_en: str
    summary: str
    minutes: int
    body: str
    body_html: str
    source_file: str


@dataclass
class ModuleSpec:
    number: int
    dir: str
    title: str
    title_en: str
    summary: str
    lessons: list[LessonSpec] = field(default_factory=list)


@dataclass
class CoursePackSpec:
    root: Path
    slug: str
    title: str
    title_en: str
    description: str
    modules: list[ModuleSpec]
    quiz_files: list[Path]


class ProblemList(list):
    """Collects problems for one file; `need` checks a key's presence and type."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def add(self, line: int | None, message: str) -> None:
        self.append(Problem(self.path, line, message))

    def need(self, mapping: LineDict, key: str, kind: type | tuple[type, ...], *,
             where: str = "", default: Any = ..., ) -> Any:
        label = f"{where}{key}" if where else key
        if key not in mapping or mapping[key] is None:
            if default is not ...:
                return default
            self.add(mapping.line, f"'{label}' is missing; add it")
            return None
        value = mapping[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(
                k.__name__ for k in kind)
            self.add(mapping.line_of(key),
                     f"'{label}' must be {expected}, got {type(value).__name__} {value!r}")
            return None
        return value


def read_yaml_file(path: Path, root: Path, problems: list[Problem]) -> Any:
    rel = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(rel, None, "file is not UTF-8 text; save it as UTF-8"))
    except YamlError as exc:
        problems.append(Problem(rel, exc.line, exc.message))
    return None


def read_course_pack(root: Path) -> CoursePackSpec:
    """Read `root`/course.yaml and every lesson; raise PackError listing all problems."""
    root = Path(root).resolve()
    problems: list[Problem] = []
    course_file = root / "course.yaml"
    if not course_file.is_file():
        raise PackError([Problem(str(root), None,
                                 "no course.yaml here; is this the course pack folder?")])
    rel = lambda p: str(p.relative_to(root.parent))  # noqa: E731 - tiny path formatter
    doc = read_yaml_file(course_file, root, problems)
    if doc is None and problems:
        raise PackError(problems)
    check = ProblemList(rel(course_file))
    if not isinstance(doc, LineDict):
        raise PackError([Problem(rel(course_file), 1, "must be a YAML mapping (key: value)")])
    slug = check.need(doc, "slug", str)
    if slug and not SLUG_RE.match(slug):
        check.add(doc.line_of("slug"), f"slug {slug!r} may use only a-z, 0-9 and '-'")
    title = check.need(doc, "title", str)
    modules_raw = check.need(doc, "modules", list) or []
    modules: list[ModuleSpec] = []
    seen_numbers: set[int] = set()
    for i, raw in enumerate(modules_raw):
        where = f"modules[{i}]."
        if not isinstance(raw, LineDict):
            check.add(doc.line_of("modules"), f"modules[{i}] must be a mapping")
            continue
        number = check.need(raw, "number", int, where=where)
        dir_name = check.need(raw, "dir", str, where=where)
        mod_title = check.need(raw, "title", str, where=where)
        if number is not None:
            if number in seen_numbers:
                check.add(raw.line_of("number"), f"week number {number} appears twice")
            seen_numbers.add(number)
        if dir_name and not (root / dir_name).is_dir():
            check.add(raw.line_of("dir"), f"folder {dir_name!r} does not exist in the pack")
            dir_name = None
        if number is None or dir_name is None or mod_title is None:
            continue
        module = ModuleSpec(number=number, dir=dir_name, title=mod_title,
                            title_en=str(raw.get("title_en") or ""),
                            summary=str(raw.get("summary") or ""))
        module.lessons = _read_lessons(root, root / dir_name, problems)
        modules.append(module)
    problems[:0] = check
    _check_lesson_slugs_unique(modules, problems)
    if problems:
        raise PackError(problems)
    quiz_dir = root / "quizzes"
    quiz_files = (sorted([*quiz_dir.glob("*.yaml"), *quiz_dir.glob("*.gift")])
                  if quiz_dir.is_dir() else [])
    return CoursePackSpec(root=root, slug=slug, title=title,
                          title_en=str(doc.get("title_en") or ""),
                          description=str(doc.get("description") or ""),
                          modules=modules, quiz_files=quiz_files)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, number of lines before the body)."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return None, text, 0
    return match.group(1), text[match.end():], match.group(0).count("\n")


def _read_lessons(root: Path, folder: Path, problems: list[Problem]) -> list[LessonSpec]:
    lessons: list[LessonSpec] = []
    sessions: dict[int, str] = {}
    for path in sorted(folder.glob("*.md")):
        rel = str(path.relative_to(root.parent))
        check = ProblemList(rel)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(rel, None, "file is not UTF-8 text; save it as UTF-8"))
            continue
        front, body, body_offset = split_front_matter(text)
        if front is None:
            problems.append(Problem(rel, 1, "no front matter: start the file with '---', the "
                                            "lesson's slug, session and title, then '---'"))
            continue
        try:
            meta = load_yaml(front, line_offset=1)
        except YamlError as exc:
            problems.append(Problem(rel, exc.line, exc.message))
            continue
        if not isinstance(meta, LineDict):
            problems.append(Problem(rel, 2, "front matter must be a YAML mapping"))
            continue
        # Front matter starts on line 2 of the file (after '---').
        meta.line += 1
        meta.key_lines = {k: v + 1 for k, v in meta.key_lines.items()}
        slug = check.need(meta, "slug", str)
        session = check.need(meta, "session", int)
        title = check.need(meta, "title", str)
        minutes = check.need(meta, "minutes", int, default=15)
        if slug and not SLUG_RE.match(slug):
            check.add(meta.line_of("slug"), f"slug {slug!r} may use only a-z, 0-9 and '-'")
        if session is not None:
            if session < 1:
                check.add(meta.line_of("session"), "session must be 1 or more")
            elif session in sessions:
                check.add(meta.line_of("session"),
                          f"session {session} is already used by {sessions[session]}")
            sessions[session] = rel
        try:
            body_html = render_markdown(body)
        except DirectiveError as exc:
            check.add(body_offset + exc.line, exc.message)
            body_html = ""
        for bad in _MATH_ERROR_RE.findall(body_html):
            check.add(None, f"formula cannot be rendered: {bad.strip()[:80]}; check the LaTeX")
        for command in sorted(set(_MATH_UNKNOWN_RE.findall(body_html))):
            check.add(None, f"a formula uses {command}, which the renderer does not know and "
                            "would show as text; write it another way, e.g. "
                            f"\\operatorname{{{command[1:]}}}")
        for letters in sorted({m.group(2) for m in _MATH_SCRIPT_WORD_RE.finditer(body_html)}):
            word = re.sub(r"</?mi>", "", letters)
            check.add(None, f"a formula writes the word {word!r} as a sub- or superscript, which "
                            "shows as italic variables; write \\text{" + word + "} (or separate "
                            "indices with commas)")
        if _MATH_EMPTY_OPERATOR in body_html:
            check.add(None, "a formula loses an operator name: write \\operatorname{name} with "
                            "letters only (no \\, or other commands inside) instead of \\mathop")
        problems.extend(check)
        if check or None in (slug, session, title):
            continue
        lessons.append(LessonSpec(
            slug=slug, session=session, title=title, title_en=str(meta.get("title_en") or ""),
            summary=str(meta.get("summary") or ""), minutes=minutes or 15, body=body,
            body_html=body_html, source_file=rel,
        ))
    if not lessons and not any(p.path.startswith(str(folder.relative_to(root.parent)))
                               for p in problems):
        problems.append(Problem(str(folder.relative_to(root.parent)), None,
                                "this week's folder has no lesson (*.md) files"))
    return sorted(lessons, key=lambda lesson: lesson.session)


def _check_lesson_slugs_unique(modules: list[ModuleSpec], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for module in modules:
        for lesson in module.lessons:
            if lesson.slug in seen:
                problems.append(Problem(lesson.source_file, 2,
                                        f"slug {lesson.slug!r} is already used by "
                                        f"{seen[lesson.slug]}; slugs are unique in a course"))
            seen[lesson.slug] = lesson.source_file
