"""What ``yescale`` says before it sends anything: help on every command, the version, a missing
key (naming the variable, exit code 3), usage errors (exit code 2), and the program without typer.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from yescale import __version__
from yescale.cli.exits import EXIT_CODES
from yescale.costs import ASSUMPTIONS

from .support import Cli

ROOT = Path(__file__).resolve().parents[2]

#: Every command, and the words its help starts with.
COMMANDS = [
    ((), "YEScale from the command line"),
    (("quota",), "What is left to spend, in US dollars"),
    (("models",), "Every model YEScale serves"),
    (("logs",), "Requests and what each was charged"),
    (("tasks",), "The account's media tasks"),
    (("chat",), "Ask any model"),
    (("media",), "Video and image tasks"),
    (("media", "submit"), "Submit a task"),
    (("media", "wait"), "Wait for a task with a progress bar"),
    (("media", "get"), "A task's status, progress and result"),
    (("media", "download"), "Save a finished task's result"),
]


@pytest.mark.parametrize(("command", "first_words"), COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_has_help(cli: Cli, command: tuple[str, ...], first_words: str) -> None:
    run = cli(*command, "--help")
    assert run.code == 0, run.stderr
    assert f"Usage: yescale {' '.join(command)}".rstrip() in run.stdout
    assert first_words in run.words
    assert run.stderr == ""
    assert cli(*command, "-h").stdout == run.stdout


def test_the_help_lists_every_command_and_the_exit_codes(cli: Cli) -> None:
    words = cli("--help").words
    for name in ("quota", "models", "logs", "tasks", "media", "chat"):
        assert f" {name} " in words
    assert "Exit codes:" in words
    for code, meaning in EXIT_CODES:
        assert f"{code} {meaning}" in words
    assert "YESCALE_API_KEY for chat and media" in words
    assert "YESCALE_ACCESS_KEY (the System API's access key) for quota, models" in words


def test_models_help_states_the_price_assumptions(cli: Cli) -> None:
    words = cli("models", "--help").words
    assert "group ratio applied" in words
    for assumption in ASSUMPTIONS:
        assert f"- {assumption}" in words


def test_media_subcommands_are_listed(cli: Cli) -> None:
    words = cli("media", "--help").words
    for name in ("submit", "wait", "get", "download"):
        assert f" {name} " in words


def test_version(cli: Cli) -> None:
    run = cli("--version")
    assert (run.code, run.stdout) == (0, f"yescale-integrations {__version__}\n")


# -- missing keys: exit code 3, naming the variable, before any request --------------------------

ACCESS_COMMANDS = [("quota",), ("models",), ("logs",), ("tasks",)]
API_COMMANDS = [
    ("chat", "Say hello."),
    ("media", "submit", "sora-2", "a cat"),
    ("media", "wait", "yescale-sora-2-eefd4aad095d"),
    ("media", "get", "yescale-sora-2-eefd4aad095d"),
    ("media", "download", "yescale-sora-2-eefd4aad095d"),
]


@pytest.mark.parametrize("command", ACCESS_COMMANDS, ids=" ".join)
def test_a_missing_access_key_is_named(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.delenv("YESCALE_ACCESS_KEY")
    run = cli(*command)
    assert run.code == 3
    assert run.stdout == ""
    line = f"`yescale {command[0]}` needs the System API access key"
    assert run.stderr.startswith(f"error: {line}")
    assert "set the YESCALE_ACCESS_KEY environment variable" in run.stderr
    assert run.stderr.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize("command", API_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_missing_api_key_is_named(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.delenv("YESCALE_API_KEY")
    run = cli(*command)
    assert run.code == 3
    assert run.stdout == ""
    assert "needs a YEScale API key: set the YESCALE_API_KEY environment variable" in run.stderr
    assert run.stderr.count("\n") == 1


def test_chat_cost_needs_the_access_key_too(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YESCALE_ACCESS_KEY")
    run = cli("chat", "Say hello.", "--cost")
    assert run.code == 3
    assert "YESCALE_ACCESS_KEY" in run.stderr


def test_a_key_that_cannot_be_sent_is_refused_without_showing_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "sk-abc def-0123456789")
    run = cli("media", "get", "yescale-sora-2-eefd4aad095d")
    assert run.code == 3
    assert "a space at position 7" in run.stderr
    assert "abc" not in run.stderr


# -- usage errors: exit code 2 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("logs", "--since", "yesterday"), "'yesterday' is not a time"),
        (("tasks", "--since", "30"), "add a unit (30m, 30h, 30d)"),
        (("logs", "--since", "1761609600000"), "looks like milliseconds"),
        (("tasks", "--since", "1h", "--until", "2h"), "is after --until"),
        (("media", "submit", "sora-2", "a cat", "--config", "8"), "is not name=value"),
        (("chat", " "), "the prompt is empty"),
        (("logs", "--page", "0"), "--page"),
        (("media", "wait"), "Missing argument"),
        (("nonsense",), "No such command"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_usage_errors_exit_2(cli: Cli, args: tuple[str, ...], said: str) -> None:
    run = cli(*args)
    assert run.code == 2
    assert run.stdout == ""
    assert said in " ".join(run.stderr.replace("│", " ").split())


# -- the program itself --------------------------------------------------------------------------


def test_the_program_is_installed_as_an_entry_point() -> None:
    scripts = metadata.entry_points(group="console_scripts")
    assert [e.value for e in scripts if e.name == "yescale"] == ["yescale.cli:main"]


def test_python_m_runs_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "yescale.cli", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"yescale-integrations {__version__}\n")


def test_without_typer_one_line_says_what_to_install() -> None:
    code = "import sys\nsys.modules['typer'] = None\nfrom yescale.cli import main\nmain()\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "yescale: the command line needs typer, which is not installed: "
        "pip install 'yescale-integrations[cli]'\n"
    )


def test_importing_the_package_loads_no_command(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import sys, yescale.cli\nprint('typer' in sys.modules, 'httpx' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == "False False", done.stderr


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yescale.cli.app

    def broken(**_: object) -> None:
        raise RuntimeError("something odd, key sk-abcdefghijklmnopqrstuvwxyz")

    monkeypatch.setattr(yescale.cli.app, "app", broken)
    from yescale.cli import main

    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RuntimeError: something odd, key sk-***")
    assert "abcdefghijkl" not in err
    assert err.count("\n") == 1
