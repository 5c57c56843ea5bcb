"""Who must forget a conversation when its user asks: the conversation store erases its own copy and
announces it here, and every per-channel memory in the same process (numbered options, rate-limit
counters) subscribes, so that "delete my data" leaves nothing behind anywhere."""
from __future__ import annotations

from typing import Callable

Forget = Callable[[str], None]
_listeners: list[Forget] = []


def on_erasure(forget: Forget) -> None:
    """`forget(sender_id)` is called with the pseudonym of every conversation erased from now on."""
    if forget not in _listeners:
        _listeners.append(forget)


def announce_erasure(sender_id: str) -> None:
    for forget in list(_listeners):
        forget(sender_id)
