"""The whole suite runs in a network namespace with only loopback (scripts/without_network.sh), so the
end-to-end tests prove that no code path of the three processes reaches another host."""
from __future__ import annotations

import socket


def test_the_suite_runs_with_loopback_as_the_only_network_interface() -> None:
    interfaces = {name for _, name in socket.if_nameindex()}
    assert interfaces == {"lo"}, f"tests must run isolated, found interfaces {sorted(interfaces)}"
