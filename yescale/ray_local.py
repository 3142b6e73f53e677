"""A Ray instance on this machine that only listens on, and talks to, 127.0.0.1.

Used by ``examples/ray_corpus_embedding.py``, the Ray tests and ``make scale``. Needs the
``[ray]`` extra (``pip install "yescale-integrations[ray]"``); Ray is imported on first use, never
by the core.

What :func:`start_local_ray` sets, and why:

* ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``: Ray then takes 127.0.0.1 as the node's address
  (``ray.init(_node_ip_address="127.0.0.1")`` alone is rewritten to the machine's own private IP).
  With a loopback node address, GCS, raylet and workers listen on 127.0.0.1 only, not on ``::``.
  Ray reads it when it is first imported, so it is set before that (and on Ray's constant when
  Ray was already imported);
* ``RAY_USAGE_STATS_ENABLED=0``: no usage report is sent anywhere;
* ``include_dashboard=False``: no dashboard (and no dashboard port);
* ``num_cpus``: the machine's cores unless told; ``object_store_memory``: small (128 MiB by
  default), as ``/dev/shm`` may be;
* ``log_to_driver``: workers' log lines (progress, errors) shown by the driver.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from ._requires import DISTRIBUTION

__all__ = ["LOOPBACK", "LOOPBACK_ENV", "local_ray", "require_ray", "start_local_ray"]

LOOPBACK = "127.0.0.1"
#: The environment a loopback-only, silent Ray instance needs (also for its child processes).
LOOPBACK_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}
DEFAULT_OBJECT_STORE_MEMORY = 128 * 1024 * 1024


def require_ray() -> ModuleType:
    """``ray`` (and Ray Data), or an ``ImportError`` naming the extra to install."""
    try:
        ray = importlib.import_module("ray")
        importlib.import_module("ray.data")
    except ImportError as error:
        raise ImportError(
            "Corpus embedding on Ray needs Ray Data, which is not installed. Install the extra: "
            f'pip install "{DISTRIBUTION}[ray]"',
            name="ray",
        ) from error
    return ray


def _loopback_environment() -> None:
    os.environ.update(LOOPBACK_ENV)
    constants: Any = sys.modules.get("ray._private.ray_constants")
    if constants is not None:  # imported before us: the constant was read already
        constants.ENABLE_RAY_CLUSTER = False


def start_local_ray(
    num_cpus: int | None = None,
    *,
    object_store_memory: int = DEFAULT_OBJECT_STORE_MEMORY,
    log_to_driver: bool = True,
    **init: Any,
) -> Any:
    """Start a Ray instance bound to 127.0.0.1 (see the module) and return ``ray.init``'s
    context. A Ray instance already running in this process is reused as it is."""
    _loopback_environment()
    ray = require_ray()
    if ray.is_initialized():
        return ray.get_runtime_context()
    return ray.init(
        address="local",
        num_cpus=num_cpus or os.cpu_count() or 1,
        include_dashboard=False,
        _node_ip_address=LOOPBACK,
        object_store_memory=object_store_memory,
        log_to_driver=log_to_driver,
        configure_logging=False,
        **init,
    )


@contextmanager
def local_ray(num_cpus: int | None = None, **options: Any) -> Iterator[Any]:
    """:func:`start_local_ray`, shut down on exit (when this call started it)."""
    ray = require_ray()
    started = not ray.is_initialized()
    context = start_local_ray(num_cpus, **options)
    try:
        yield context
    finally:
        if started:
            ray.shutdown()
