"""What a user installing the package gets: typed packages, a clear word on a missing extra, a
README whose links work on the package index page, the license in the metadata."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The folders the wheel ships (pyproject.toml, [tool.hatch.build.targets.wheel]).
SHIPPED = ["yescale", "langchain_yescale", "llama_index_yescale", "llama_index"]


def _importable_packages() -> list[Path]:
    """The packages a user imports at the top: each top folder's, and the ones under the
    ``llama_index`` namespace (PEP 561: a subpackage is covered by its parent's marker)."""
    return sorted(
        init.parent
        for top in SHIPPED
        for init in (ROOT / top).rglob("__init__.py")
        if not (init.parent.parent / "__init__.py").exists()
    )


@pytest.mark.parametrize("package", _importable_packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_importable_package_is_marked_typed(package: Path) -> None:
    # Without py.typed, mypy in a user's project treats the package as untyped and skips it.
    assert (package / "py.typed").is_file()


def _import_without(blocked: str, statement: str) -> subprocess.CompletedProcess[str]:
    # sys.modules[name] = None is how Python itself spells "this module cannot be imported".
    code = f"import sys\nsys.modules[{blocked!r}] = None\n{statement}\n"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize(
    ("blocked", "statement", "extra"),
    [
        ("langchain_core", "import langchain_yescale", "langchain"),
        ("langchain_core", "from langchain_yescale import ChatYEScale", "langchain"),
        ("llama_index.core", "import llama_index_yescale", "llama-index"),
        ("llama_index.core", "from llama_index.llms.yescale import YEScale", "llama-index"),
        ("llama_index.core", "import llama_index.embeddings.yescale", "llama-index"),
        ("llama_index.core", "import llama_index.tools.yescale", "llama-index"),
    ],
)
def test_a_missing_framework_names_the_extra_to_install(
    blocked: str, statement: str, extra: str
) -> None:
    result = _import_without(blocked, statement)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ")
    assert f'pip install "yescale-integrations[{extra}]"' in last
    assert blocked in last


def test_the_client_needs_no_framework() -> None:
    code = "import yescale\nfrom yescale import YEScaleClient, errors\nprint('ok')"
    for blocked in ("langchain_core", "llama_index.core"):
        result = _import_without(blocked, code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"


def test_import_yescale_loads_no_http_stack() -> None:
    # The framework packages import yescale for the check above: it must stay cheap.
    code = "import sys, yescale, langchain_yescale\nprint('httpx' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr


def test_readme_links_work_on_the_package_index_page() -> None:
    # PyPI renders the README away from the repository: a relative link there is a dead link.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets, "the README has links"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []
    # Links into this repository name files that exist (pyproject.toml's Source URL).
    source = metadata.metadata("yescale-integrations").get_all("Project-URL") or []
    repository = dict(u.split(", ", 1) for u in source)["Source"] + "/blob/main/"
    ours = [t.removeprefix(repository) for t in targets if t.startswith(repository)]
    assert ours, "the README links to the guides in this repository"
    assert [path for path in ours if not (ROOT / path).is_file()] == []


def test_license_is_declared_and_shipped() -> None:
    meta = metadata.metadata("yescale-integrations")
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    classifiers = meta.get_all("Classifier") or []
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
