"""The transport package: the only code in the project that speaks HTTP.

- :mod:`.call`: what to send (:class:`Call`) and the request built from it;
- :mod:`.core`: the operations (send, stream) as I/O-free logic, and their shared steps;
- :mod:`.links`: downloads and fetches of links outside the API (redirects re-checked);
- :mod:`.drivers`: the sync and async drivers that perform their I/O;
- :mod:`.limits`: size and time bounds; :mod:`.sse`: event-stream parsing;
- :mod:`.addresses`: which URLs are not public; :mod:`.pools`: shared connection pools;
- :mod:`.transport`: :class:`Transport`, which ties them together.
"""

from .call import MULTIPART_BOUNDARY, USER_AGENT, Call, capped_timeout, json_parser
from .transport import Transport

__all__ = [
    "MULTIPART_BOUNDARY",
    "USER_AGENT",
    "Call",
    "Transport",
    "capped_timeout",
    "json_parser",
]
