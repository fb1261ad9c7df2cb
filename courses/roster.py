"""Reading an enrolment list (CSV: username, name, email, role) into checked rows, every line
checked before anything is written. No database access: the service decides what to write."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Enrollment

#: Lines a single import may hold (a large lecture, with room to spare).
ROSTER_ROWS_MAX = 3000
#: The most bytes an uploaded or pasted list may have.
ROSTER_BYTES_MAX = 1_000_000
COLUMNS = ("username", "name", "email", "role")
# Role names a spreadsheet may carry: the stored value, the English label, the Korean label.
_ROLE_NAMES = {
    "student": Enrollment.Role.STUDENT, "학생": Enrollment.Role.STUDENT,
    "ta": Enrollment.Role.TA, "teaching assistant": Enrollment.Role.TA,
    "조교": Enrollment.Role.TA,
    "instructor": Enrollment.Role.INSTRUCTOR, "teacher": Enrollment.Role.INSTRUCTOR,
    "교수자": Enrollment.Role.INSTRUCTOR, "강사": Enrollment.Role.INSTRUCTOR,
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    name: str
    email: str
    role: str


class RosterError(Exception):
    """The list cannot be imported; `errors` names each line that is wrong and why."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def roster_parse(text: str) -> list[RosterRow]:
    """Every row of `text` checked. A first line naming the columns is skipped; blank lines are
    ignored. Raises RosterError listing every wrong line (not only the first)."""
    if len(text.encode("utf-8")) > ROSTER_BYTES_MAX:
        raise RosterError([_("The list is larger than %(n)s MB; split it into several files.")
                           % {"n": ROSTER_BYTES_MAX // 1_000_000}])
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    rows: list[RosterRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    username_validator = UnicodeUsernameValidator()
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise RosterError([_("The file is not readable as CSV: %(e)s") % {"e": exc}]) from None
    for number, cells in enumerate(lines, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells[:1]] == ["username"]:
            continue
        where = _("Line %(n)s") % {"n": number}
        if len(cells) > len(COLUMNS):
            errors.append(_("%(where)s: %(k)s columns; expected at most 4 (username, name, "
                            "email, role).") % {"where": where, "k": len(cells)})
            continue
        username, name, email, role = (cells + [""] * len(COLUMNS))[:len(COLUMNS)]
        problems = []
        if not username:
            problems.append(_("the username is empty"))
        elif len(username) > 150:
            problems.append(_("the username is longer than 150 characters"))
        else:
            try:
                username_validator(username)
            except ValidationError:
                problems.append(_("the username %(u)s may contain only letters, digits and "
                                  "@ . + - _") % {"u": username})
        if len(name) > 150:
            problems.append(_("the name is longer than 150 characters"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("%(e)s is not an email address") % {"e": email})
        resolved = _ROLE_NAMES.get(role.lower(), None) if role else Enrollment.Role.STUDENT
        if resolved is None:
            problems.append(_("unknown role %(r)s (use student, ta or instructor)") % {"r": role})
        if username and username.lower() in seen:
            problems.append(_("%(u)s is already on line %(n)s") % {
                "u": username, "n": seen[username.lower()]})
        if problems:
            errors.append(f"{where}: " + "; ".join(problems) + ".")
            continue
        seen[username.lower()] = number
        rows.append(RosterRow(line=number, username=username, name=name, email=email,
                              role=resolved))
    if len(rows) > ROSTER_ROWS_MAX:
        errors.insert(0, _("The list has %(n)s people; at most %(m)s can be imported at once.")
                      % {"n": len(rows), "m": ROSTER_ROWS_MAX})
    if errors:
        raise RosterError(errors)
    if not rows:
        raise RosterError([_("The list is empty. Put one person per line: username, name, "
                             "email, role.")])
    return rows
