"""A framework package asks for its framework once, at import, naming the extra that brings it."""

from __future__ import annotations

import importlib.util

#: Where the package is installed from; the extras are declared in pyproject.toml.
DISTRIBUTION = "yescale-integrations"


def require_framework(module: str, *, extra: str, importer: str) -> None:
    """Raise ``ImportError`` naming the extra to install when ``module`` cannot be imported.

    ``importer`` is the package asking (``langchain_yescale``). Only the module's presence is
    looked up, so the framework itself is still loaded lazily, on first use of a class.
    """
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent that is not a package; sys.modules[name] = None
        found = False
    if not found:
        raise ImportError(
            f"{importer} needs {module}, which is not installed. Install the extra: "
            f'pip install "{DISTRIBUTION}[{extra}]"',
            name=module,
        )
