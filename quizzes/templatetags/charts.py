"""Small inline SVG charts (no JavaScript): the score histogram and item facility/discrimination."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def bar_chart(values, labels, title: str, *, width: int = 520, height: int = 180,
              low: float = 0.0, high: float | None = None, unit: str = "") -> str:
    """Vertical bars with a text title and per-bar <title>s for screen readers and tooltips.

    Negative values (a discrimination index below zero) are drawn below the zero line in red.
    """
    raw = list(values)
    values = [0.0 if v is None else float(v) for v in values]
    labels = [str(label) for label in labels]
    top = high if high is not None else max([*values, 1.0])
    bottom = min(low, min(values, default=0.0))
    span = (top - bottom) or 1.0
    pad_left, pad_bottom, pad_top = 34, 24, 8
    plot_h = height - pad_bottom - pad_top
    n = max(len(values), 1)
    step = (width - pad_left) / n
    zero_y = pad_top + plot_h * (top / span) if bottom < 0 else pad_top + plot_h
    # The picture is for the eyes; screen readers get the same numbers as a table after it.
    parts = [f'<svg class="chart" aria-hidden="true" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{pad_left}" y1="{zero_y:.1f}" x2="{width}" y2="{zero_y:.1f}" '
             'stroke="#57606a"/>',
             f'<text x="0" y="{pad_top + 10}" font-size="11">{top:g}{escape(unit)}</text>',
             f'<text x="0" y="{zero_y:.1f}" font-size="11">0</text>']
    for i, (value, label) in enumerate(zip(values, labels, strict=False)):
        x = pad_left + i * step + step * 0.15
        bar_h = abs(value) / span * plot_h
        y = zero_y - bar_h if value >= 0 else zero_y
        colour = "#0b57d0" if value >= 0 else "#c62828"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(label)}: '
                     f'{value:g}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 6}" font-size="11" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    parts.append(data_table(raw, labels, title, unit))
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def data_table(values, labels, title: str, unit: str = "") -> str:
    """The chart's numbers as a visually hidden table: one row per bar, "—" for no value."""
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        f'<td>{"—" if value is None else f"{float(value):g}{escape(unit)}"}</td></tr>'
        for value, label in zip(values, labels, strict=False))
    # The hiding sits on a wrapping block: a table ignores width: 1px and overflow: hidden, and
    # its full width would scroll a phone's page sideways.
    return (f'<div class="visually-hidden"><table class="chart-data">'
            f"<caption>{escape(title)}</caption><tbody>{rows}</tbody></table></div>")
