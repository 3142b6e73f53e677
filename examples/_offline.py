"""Run an example offline by replaying its recorded answers when no YESCALE_API_KEY is set.

Also: a module the example needs but that is not installed ends the run with one line naming
what to install (``exit_if_missing``), and the banner says which service the example talks to.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "integration"

#: Module (or package) an example imports -> what installs it. The longest match wins; other
#: ``llama_index.<kind>.<name>`` modules come from ``llama-index-<kind>-<name>``.
INSTALL = {
    "yescale": '"yescale-integrations[all]"',
    "langchain_yescale": '"yescale-integrations[langchain]"',
    "llama_index_yescale": '"yescale-integrations[llama-index]"',
    "langchain_core": '"yescale-integrations[langchain]"',
    "llama_index.core": '"yescale-integrations[llama-index]"',
    # create_agent (1.0), choosing its structured-output strategy from model profiles (1.1);
    # not part of the [langchain] extra
    "langchain": '"langchain>=1.1"',
}

#: Replaying needs vcrpy, a development tool, unless the example runs live.
NO_VCR = "offline replay needs vcrpy (pip install vcrpy), or set YESCALE_API_KEY to run live"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package; sys.modules[name] = None
        return False


def _package(module: str) -> tuple[str, str]:
    """What to name and what to install for ``module``."""
    for name in sorted(INSTALL, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return name, INSTALL[name]
    if module.startswith("llama_index."):
        return module, "-".join(["llama-index", *module.split(".")[1:3]]).replace("_", "-")
    top = module.split(".")[0]
    return top, top


def _install_hint(exc: ImportError, module: str | None) -> str | None:
    """One line for ``exc``: what to install. ``None`` when it names no module."""
    module = module or exc.name
    if not module:
        return None
    if module.split(".")[0] == "vcr":
        return NO_VCR
    name, package = _package(module)
    if isinstance(exc, ModuleNotFoundError) or not _installed(exc.name or module):
        hint = f"this example needs {name}, which is not installed: pip install {package}"
    else:  # installed but too old, e.g. langchain 0.3 has no create_agent
        hint = f"{exc}: this example needs a newer {name}: pip install -U {package}"
    if not os.environ.get("YESCALE_API_KEY") and not _installed("vcr"):
        hint += f"; {NO_VCR}"
    return hint


@contextlib.contextmanager
def exit_if_missing(main: str = "__main__", *, module: str | None = None) -> Iterator[None]:
    """Around imports. Run as a script (``main`` is ``"__main__"``), a module that is not
    installed ends the run with status 1 and one line on stderr naming what to install.

    ``module``: what the block imports, when any ImportError there stands for it. Imported (the
    test suite imports the examples), the ``ImportError`` propagates unchanged.
    """
    try:
        yield
    except ImportError as exc:
        hint = _install_hint(exc, module)
        if main != "__main__" or hint is None:
            raise
        raise SystemExit(" ".join(hint.split())) from None  # one line, whatever exc said


def live_banner() -> str:
    """What a live run prints first: the live service, or the local address it talks to instead.

    The base URL is read as the client reads it (``YESCALE_BASE_URL``, default
    https://api.yescale.io, ``/v1`` removed); local and private addresses are those the image
    tools refuse to fetch (localhost, 127.0.0.0/8, ::1, 10/8, 192.168/16...).
    """
    from yescale import ClientSettings
    from yescale.tools.inputs import InputImageError, check_public_url

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plain http: the client warns itself when it is built
        url = ClientSettings.resolve().base_url
    try:
        check_public_url(url)
    except InputImageError:
        where = "a local or private address (YESCALE_BASE_URL)"
        return f"YESCALE_API_KEY is set: talking to {url}, {where}."
    return f"YESCALE_API_KEY is set: talking to the live YEScale service at {url}."


@contextlib.contextmanager
def live_or_replay(name: str, folder: str = "test_examples") -> Iterator[bool]:
    """Yield True when live. Offline, replay ``cassettes/integration/<folder>/<name>.yaml``.

    ``folder`` is the test module that records the example's cassette.
    """
    if os.environ.get("YESCALE_API_KEY"):
        print(live_banner() + "\n")
        yield True
        return
    with exit_if_missing(module="vcr"):
        import vcr  # a development tool: installed with the test dependencies, not with [all]

    cassette = CASSETTES / folder / f"{name}.yaml"
    shown = cassette.relative_to(Path.cwd()) if cassette.is_relative_to(Path.cwd()) else cassette
    print(
        "YESCALE_API_KEY is not set: running OFFLINE, replaying recorded answers from\n"
        f"  {shown}\n"
        "Set YESCALE_API_KEY to run against the live service.\n"
    )
    os.environ["YESCALE_API_KEY"] = "offline-test-api-key"
    own_access_key = "YESCALE_ACCESS_KEY" not in os.environ
    if own_access_key:  # the System API (prices, logs) takes the access key
        os.environ["YESCALE_ACCESS_KEY"] = "offline-test-access-key"
    recorder = vcr.VCR(
        record_mode="none",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
    )
    try:
        with recorder.use_cassette(str(cassette)):
            yield False
    finally:
        del os.environ["YESCALE_API_KEY"]
        if own_access_key:
            del os.environ["YESCALE_ACCESS_KEY"]
