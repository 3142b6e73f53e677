"""Run an example (or any script) as a user would, in a subprocess, with no YEScale setting
of this machine's environment leaking in: no key unless given, and a base URL on a closed local
port, so anything that got as far as a request would fail here instead of reaching a network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Port 9 (discard) on the loopback: nothing listens there, a request fails at once.
CLOSED_LOCAL_URL = "http://127.0.0.1:9"


def offline_env(
    *, api_key: str | None = None, base_url: str | None = CLOSED_LOCAL_URL
) -> dict[str, str]:
    """This process's environment without any ``YESCALE_*`` variable, plus the ones given
    (``base_url=None``: none, so an example replaying a cassette keeps its default URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YESCALE_")}
    if base_url is not None:
        env["YESCALE_BASE_URL"] = base_url
    if api_key is not None:
        env["YESCALE_API_KEY"] = api_key
    return env


def run_offline(
    *args: str,
    api_key: str | None = None,
    base_url: str | None = CLOSED_LOCAL_URL,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python *args`` from the repository's root in :func:`offline_env`, output captured."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=offline_env(api_key=api_key, base_url=base_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
