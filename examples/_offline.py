"""Run an example offline by replaying its recorded answers when no YESCALE_API_KEY is set."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "integration"


@contextlib.contextmanager
def live_or_replay(name: str, folder: str = "test_examples") -> Iterator[bool]:
    """Yield True when live. Offline, replay ``cassettes/integration/<folder>/<name>.yaml``.

    ``folder`` is the test module that records the example's cassette.
    """
    if os.environ.get("YESCALE_API_KEY"):
        print("YESCALE_API_KEY is set: talking to the live YEScale service.\n")
        yield True
        return
    import vcr  # installed with the [test] extra

    cassette = CASSETTES / folder / f"{name}.yaml"
    shown = cassette.relative_to(Path.cwd()) if cassette.is_relative_to(Path.cwd()) else cassette
    print(
        "YESCALE_API_KEY is not set: running OFFLINE, replaying recorded answers from\n"
        f"  {shown}\n"
        "Set YESCALE_API_KEY to run against the live service.\n"
    )
    os.environ["YESCALE_API_KEY"] = "offline-test-api-key"
    recorder = vcr.VCR(
        record_mode="none",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
    )
    try:
        with recorder.use_cassette(str(cassette)):
            yield False
    finally:
        del os.environ["YESCALE_API_KEY"]
