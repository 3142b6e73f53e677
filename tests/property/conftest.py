"""Hypothesis settings for the property tests: deterministic in CI, nothing written to the repo.

The ``yescale`` profile (the default) derandomizes generation, so every run tries the same
examples, and keeps no example database. ``HYPOTHESIS_PROFILE=thorough`` runs ten times as many
random examples, for hunting bugs locally.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

#: Examples per property in CI (the figures in docs/bad-input.md use this).
MAX_EXAMPLES = 200

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
    "thorough",
    parent=settings.get_profile("yescale"),
    derandomize=False,
    max_examples=MAX_EXAMPLES * 10,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "yescale"))
