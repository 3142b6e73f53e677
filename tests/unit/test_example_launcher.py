"""The examples without the development tools: one line naming what to install, no traceback;
and the live banner names a local base URL instead of claiming the live service."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))

import _offline  # noqa: E402

from tests.offline import run_offline  # noqa: E402

EXAMPLE_SCRIPTS = [
    "quickstart.py",
    "llamaindex_agent.py",
    "rag_offline.py",
    "gemini_rag.py",
    "gemini_outputs.py",
    "agent_tools.py",
    "agent_structured.py",
    "prompt_caching.py",
]

#: Runs a script as ``python <script>`` would, with the named modules unimportable (as if they
#: were not installed: importing them raises ModuleNotFoundError).
RUN_WITHOUT = """
import runpy, sys
*blocked, script = sys.argv[1:]
for name in blocked:
    sys.modules[name] = None
sys.argv = [script]
runpy.run_path(script, run_name="__main__")
"""


def run_without(
    script: str, *blocked: str, api_key: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_offline("-c", RUN_WITHOUT, *blocked, str(EXAMPLES / script), api_key=api_key)


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[-3000:]
    assert lines[0].strip()
    return lines[0]


#: Runs every example in one process (the frameworks are imported once, not once per example),
#: each as ``python <script>`` would with vcr unimportable; prints what each one printed and
#: its exit status, as JSON. A traceback goes to the example's stderr, as the interpreter's would.
RUN_ALL_WITHOUT_VCR = """
import contextlib, io, json, runpy, sys, traceback
sys.modules["vcr"] = None
results = {}
for script in sys.argv[1:]:
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = [script]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as exit:
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
                code = 1
            else:
                code = exit.code or 0
        except BaseException:
            traceback.print_exc()
            code = 1
    results[script] = {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def without_vcrpy() -> dict[str, dict[str, Any]]:
    scripts = [str(EXAMPLES / script) for script in EXAMPLE_SCRIPTS]
    result = run_offline("-c", RUN_ALL_WITHOUT_VCR, *scripts, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    ran: dict[str, dict[str, Any]] = json.loads(result.stdout.splitlines()[-1])
    return {Path(script).name: outcome for script, outcome in ran.items()}


@pytest.mark.parametrize("script", EXAMPLE_SCRIPTS)
def test_offline_without_vcrpy_says_what_to_install(
    script: str, without_vcrpy: dict[str, dict[str, Any]]
) -> None:
    result = without_vcrpy[script]
    line = one_line(result["stderr"])
    assert result["code"] != 0
    assert "pip install vcrpy" in line
    assert "YESCALE_API_KEY" in line
    assert "running OFFLINE" not in result["stdout"]


@pytest.mark.parametrize(
    ("script", "blocked", "install"),
    [
        ("quickstart.py", "langchain_core", 'pip install "yescale-integrations[langchain]"'),
        ("agent_tools.py", "langchain", 'pip install "langchain>=1.1"'),
        ("agent_structured.py", "langchain", 'pip install "langchain>=1.1"'),
        (
            "llamaindex_agent.py",
            "llama_index.core",
            'pip install "yescale-integrations[llama-index]"',
        ),
        ("rag_offline.py", "llama_index.core", 'pip install "yescale-integrations[llama-index]"'),
        ("gemini_rag.py", "langchain_core", 'pip install "yescale-integrations[langchain]"'),
    ],
)
def test_missing_framework_says_what_to_install(script: str, blocked: str, install: str) -> None:
    result = run_without(script, blocked, api_key="offline-test-api-key")
    line = one_line(result.stderr)
    assert result.returncode != 0
    assert line.endswith(install)
    assert blocked in line
    assert "vcrpy" not in line  # a key is set: no replay, vcrpy not needed


def test_missing_framework_and_vcrpy_are_named_in_the_same_line() -> None:
    result = run_without("agent_tools.py", "langchain", "vcr")
    line = one_line(result.stderr)
    assert result.returncode != 0
    assert 'pip install "langchain>=1.1"' in line
    assert "pip install vcrpy" in line
    assert "YESCALE_API_KEY" in line


def test_imported_not_run_the_import_error_propagates() -> None:
    with pytest.raises(ModuleNotFoundError), _offline.exit_if_missing("agent_tools"):
        raise ModuleNotFoundError("No module named 'langchain'", name="langchain")


def test_run_as_a_script_a_missing_module_exits_with_one_line() -> None:
    with pytest.raises(SystemExit) as exited, _offline.exit_if_missing("__main__"):
        raise ModuleNotFoundError("No module named 'langchain'", name="langchain")
    assert (
        exited.value.code
        == 'this example needs langchain, which is not installed: pip install "langchain>=1.1"'
    )


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765/v1/", "http://127.0.0.1:8765"),  # as the client normalises it
        ("http://localhost:8765", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
        ("http://192.168.1.20:8080", "http://192.168.1.20:8080"),
    ],
)
def test_banner_names_a_local_base_url(
    base_url: str, shown: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "offline-test-api-key")
    monkeypatch.setenv("YESCALE_BASE_URL", base_url)
    with _offline.live_or_replay("quickstart") as live:
        assert live
    printed = capsys.readouterr().out
    assert f"talking to {shown}," in printed
    assert "live YEScale service" not in printed
    assert printed.strip() == _offline.live_banner()


def test_banner_default_is_the_live_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "offline-test-api-key")
    monkeypatch.delenv("YESCALE_BASE_URL", raising=False)
    assert _offline.live_banner() == (
        "YESCALE_API_KEY is set: talking to the live YEScale service at https://api.yescale.io."
    )
