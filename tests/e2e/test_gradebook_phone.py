"""The gradebook at 375 px: no word is broken inside a cell; the table scrolls sideways inside
its own wrapper, not the page; axe finds no serious problem in either version of the page."""

import pytest

from .test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

# Words of every cell that span more than one line box (a line may still break at a space or
# after a dash, as typography allows, but never inside a word).
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.table-scroll th, .table-scroll td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\-\u2013\u2014\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("username", ["instructor", "student"])
def test_gradebook_cells_keep_their_words_at_phone_width(page_for, accounts, course,
                                                          username):
    student = accounts["student"]
    student.first_name, student.last_name = "Jiwoo", "Kim-Nakamura"
    student.save()
    page = page_for(username, f"{username}-pass", viewport={"width": 375, "height": 740},
                    bypass_csp=True)
    page.goto(f"/courses/{course.slug}/grades/")
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    if username == "instructor":  # many quiz columns: the wrapper scrolls, not the page
        assert page.evaluate("(() => { const w = document.querySelector('.table-scroll');"
                             " return w.scrollWidth > w.clientWidth; })()")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [1200, 375])
def test_one_very_long_name_does_not_push_the_grades_out_of_sight(page_for, accounts, course,
                                                                   width):
    """A student named with one 80-letter word: its cell grew as wide as the name, so on a
    laptop (and a phone) every student's grades began beyond the right edge of the table's
    wrapper. The name now wraps within a bounded width and the first grade stays in view."""
    student = accounts["student"]
    student.first_name = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft" \
                         "schaferswessen"
    student.save()
    page = page_for("instructor", "instructor-pass", viewport={"width": width, "height": 900})
    page.goto(f"/courses/{course.slug}/grades/")
    gap = page.evaluate("""(() => {
      const wrapper = document.querySelector('.table-scroll.gradebook').getBoundingClientRect();
      const grade = document.querySelector('.gradebook tbody tr td').getBoundingClientRect();
      return wrapper.right - grade.right; })()""")
    assert gap >= 0, f"the first grade ends {-gap:.0f} px beyond the visible table"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_one_very_long_name_does_not_push_the_role_controls_out_of_sight(page_for, accounts,
                                                                          course):
    """The participants table at 1200 px: a student named with one 80-letter word pushed the
    role menus and the Remove buttons of every row beyond the table's visible edge."""
    student = accounts["student"]
    student.first_name = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft" \
                         "schaferswessen"
    student.save()
    page = page_for("instructor", "instructor-pass", viewport={"width": 1200, "height": 900})
    page.goto(f"/courses/{course.slug}/participants/")
    gap = page.evaluate("""(() => {
      const wrapper = document.querySelector('.table-scroll').getBoundingClientRect();
      const buttons = [...document.querySelectorAll('.table-scroll tbody button')];
      return Math.min(...buttons.map(b => wrapper.right - b.getBoundingClientRect().right));
    })()""")
    assert gap >= 0, f"a row's button ends {-gap:.0f} px beyond the visible table"
