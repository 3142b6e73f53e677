"""Hypothesis settings for the property tests: deterministic in CI, nothing written to the repo.

Two profiles:

* ``yescale`` (the default): few examples, always the same ones. Generation is derandomized and no
  example database is kept, so every run tries exactly the same cases. It stays sharp with few
  examples because every bug the properties ever found, and the known edge cases of each property
  (a chunk cut inside ``data:``, between a CR and its LF, inside a multi-byte character, one
  byte at a time, a stream cut just before its terminator, ``$ref`` / ``$defs``, nullable unions,
  each construct Gemini cannot express...), is pinned as an explicit ``@example``: those run
  every time, on top of the generated ones.
* ``deep`` (``thorough`` is the same profile under its former name): :data:`DEEP_EXAMPLES`
  random (not derandomized) examples per property, for hunting bugs locally or before a
  release; a failure prints the ``@reproduce_failure`` blob that replays it::

      HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest tests/property

  A bug the deep profile finds is fixed and then kept as an ``@example``, so the default profile
  checks it from then on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

#: Generated examples per property in the default profile, on top of the explicit ``@example``s
#: (the figures in docs/bad-input.md use this).
MAX_EXAMPLES = 40
#: Generated examples per property in the ``deep`` profile.
DEEP_EXAMPLES = 2000

# Hypothesis keeps caches under a home directory (./.hypothesis by default): never the repo.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "yescale-hypothesis")

settings.register_profile(
    "yescale",
    derandomize=True,
    max_examples=MAX_EXAMPLES,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    parent=settings.get_profile("yescale"),
    derandomize=False,
    max_examples=DEEP_EXAMPLES,
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("deep"))  # the former name
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "yescale"))
