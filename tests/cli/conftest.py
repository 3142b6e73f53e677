"""Fixtures for the command line's tests (see support.py): a runner, and prices forgotten."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .support import Cli


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture(autouse=True)
def _no_prices_left_behind() -> Iterator[None]:
    """``yescale chat --cost`` loads prices for the whole process: forget them after."""
    yield
    from yescale.costs import use_prices
    from yescale.models.profiles import reset_profiles

    use_prices(None)
    reset_profiles()


@pytest.fixture(autouse=True)
def _every_recorded_answer_used(request: pytest.FixtureRequest) -> Iterator[None]:
    """On replay, a test uses every answer of its cassette: each poll, each request."""
    if request.node.get_closest_marker("vcr") is None:
        yield
        return
    from vcr.record_mode import RecordMode

    cassette = request.getfixturevalue("vcr")
    yield
    if cassette.record_mode == RecordMode.NONE:
        assert cassette.all_played, f"{cassette.play_count} of {len(cassette)} answers used"
