"""Ray is an extra: the core never imports it, and asking for it without it names the extra."""

from __future__ import annotations

import importlib
import subprocess
import sys
from types import ModuleType

import pytest

from yescale import ray_local


def test_the_core_and_the_ray_modules_import_without_ray() -> None:
    code = (
        "import sys, yescale, yescale.rate_limit, yescale.ray_local, yescale.ray_corpus; "
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith(('ray.', 'pyarrow'))))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "[]"


def test_without_ray_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_ray(name: str, package: str | None = None) -> ModuleType:
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_ray)
    for name in ray_local.LOOPBACK_ENV:  # start_local_ray sets them: restored after the test
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImportError, match=r'pip install "yescale-integrations\[ray\]"'):
        ray_local.require_ray()
    with pytest.raises(ImportError, match="yescale-integrations"):
        ray_local.start_local_ray()
