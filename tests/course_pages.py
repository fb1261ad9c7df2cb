"""Reading the shipped course pack as a student does: the pack loaded into the test database,
pages fetched over HTTP, and their text and formulas taken apart for checks on the content."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

PACK = Path(__file__).resolve().parents[1] / "content" / "genai-intro"
COURSE = "genai-intro"


def load_and_log_in(make_user, enrol, client):
    """Load the shipped course and log a new student of it in; return the client."""
    from courses.services import course_pack_load

    course = course_pack_load(path=PACK).course
    student = make_user("reader")
    enrol(student, course, "student")
    client.force_login(student)
    return client


def lesson_html(client, slug: str) -> str:
    response = client.get(f"/courses/{COURSE}/lessons/{slug}/")
    assert response.status_code == 200, slug
    return response.content.decode()


def plain_text(fragment: str) -> str:
    """What a reader sees: tags and formulas' markup gone, single spaces."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.split())


def article(page: str) -> str:
    """The lesson body of a page (the part the course pack writes)."""
    match = re.search(r"<article\b.*?</article>", page, re.S)
    return match.group(0) if match else page


def without_widgets(fragment: str) -> str:
    """The text the pack wrote, without the live demo widgets expanded into it."""
    return re.sub(r'<section class="demo-widget-live".*?</section>', "", fragment, flags=re.S)


def sections_about(fragment: str, word: str) -> list[str]:
    """The <h2> sections of a lesson whose heading has `word`, as plain text."""
    parts = re.split(r"(?=<h2\b)", without_widgets(fragment))
    return [plain_text(p) for p in parts
            if p.startswith("<h2") and word in plain_text(p[:p.find("</h2>")])]


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    text: str = ""

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in ("mspace", "br", "img", "input", "meta", "link", "hr"):
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        node = self.stack[-1]
        if node.children:
            node.children.append(Node("#text", {}, text=data))
        else:
            node.text += data


def formulas(fragment: str) -> list[Node]:
    """Every <math> element of an HTML fragment, as a tree."""
    tree = _Tree()
    tree.feed(fragment)
    found = []

    def walk(node):
        if node.tag == "math":
            found.append(node)
        else:
            for child in node.children:
                walk(child)

    walk(tree.root)
    return found
