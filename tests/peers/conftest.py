"""Fixtures of the peer tests: the recorder (the fault server answering like the service)."""

from __future__ import annotations

import pytest

from tests.faults.conftest import FaultServer, fault_server  # noqa: F401

from .support import Recorder


@pytest.fixture
def recorder(fault_server: FaultServer) -> Recorder:  # noqa: F811
    return Recorder(fault_server)
