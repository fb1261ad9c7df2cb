"""The API's JSON parser: DRF's, with the nesting-depth limit of `config.json_depth`."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.json_depth import (  # noqa: F401  (re-exported for callers of this module)
    MAX_JSON_DEPTH,
    JSONTooDeep,
    json_depth_exceeds,
    json_loads,
)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth limit: a too-deep body is a 400 with a message."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(str(JSONTooDeep())) from None
        if json_depth_exceeds(value):
            raise ParseError(str(JSONTooDeep()))
        return value
