"""Display math in a real browser: nothing clipped, fences stretch around a fraction."""

import pytest

pytestmark = pytest.mark.e2e

MEASURE = """() => {
  const blocks = [...document.querySelectorAll('.lesson-body .math.block')];
  const clipped = blocks.filter(b => b.scrollHeight > b.clientHeight)
                        .map(b => [b.scrollHeight, b.clientHeight, b.textContent.slice(0, 40)]);
  const fences = [];
  for (const frac of document.querySelectorAll('.lesson-body .math.block mfrac')) {
    const row = frac.parentElement;
    const open = [...row.children].find(c => c.localName === 'mo' && c.getAttribute('stretchy') === 'true');
    if (open) fences.push([open.getBoundingClientRect().height, frac.getBoundingClientRect().height]);
  }
  return {count: blocks.length, clipped, fences};
}"""


def test_display_math_is_not_clipped_and_brackets_stretch(page_for, accounts):
    page = page_for("student", "student-pass")
    page.goto("/courses/genai-intro/lessons/bert/")
    page.locator(".lesson-body math[display=block]").first.wait_for()
    found = page.evaluate(MEASURE)
    assert found["count"] >= 3
    assert found["clipped"] == [], found["clipped"]
    # \left( \frac{pos}{...} \right): the parenthesis is about as tall as the fraction.
    assert found["fences"], found
    for fence, fraction in found["fences"]:
        assert fence >= 0.8 * fraction, found["fences"]
