"""Fixtures shared by the black-box tests: where the mqwarden binary is, a
running broker (broker.py) and real MQTT clients (clients.py)."""
import os
import pathlib

import pytest

from broker import broker, policy_broker, start_broker  # noqa: F401 - fixtures
from clients import client_factory, connected  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def mqwarden_binary() -> pathlib.Path:
    path = os.environ.get("MQWARDEN_BINARY")
    if not path:
        pytest.fail("MQWARDEN_BINARY is not set; run the integration tests through ctest")
    binary = pathlib.Path(path)
    assert binary.is_file(), f"{binary} does not exist"
    return binary
