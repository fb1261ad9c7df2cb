"""URL converters."""


class IdConverter:
    """A database id: digits that fit a 64-bit integer (Django's `int` accepts any length, and
    an id beyond the database's range would be a 500 instead of a 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
