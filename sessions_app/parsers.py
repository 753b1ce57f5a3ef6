"""Request parsers for the API: DRF's, refusing with a 400 what would otherwise fail later as a 500."""

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus two refusals:
    - nesting deeper than Python's recursion allows (`[` × 100,000) raises RecursionError, not ValueError;
    - a lone UTF-16 surrogate ("\\ud800") parses, but no UTF-8 answer can echo it back (in a
      validation message, say), so the error would be raised while rendering the 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - a string holds a lone UTF-16 surrogate, which is not text.") from exc
        return data
