"""An open-loop load generator for one REST endpoint, run in its own process so that its own work never
slows the server it measures (bench/turns.py starts it once per server and rate).

Open loop: messages arrive at a fixed rate whether or not earlier ones were answered, as real users'
messages do; a closed loop (each client waits for its reply) hides a slow server by sending less.
Each arrival goes to one of POOL conversations in turn, each conversation's messages in order.

    python -m bench.load --url http://127.0.0.1:5005/webhooks/rest/webhook --rate 20 --seconds 10 \
        --sessions ours --messages "hi|thanks"

prints one JSON line: {"rate", "sent", "answered", "failed", "p50_ms", "p95_ms", "achieved_rate"}.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import aiohttp

POOL = 50
TIMEOUT_SECONDS = 30


async def _new_sender(session: aiohttp.ClientSession, url: str, sessions: str, n: int) -> str:
    """Our REST channel only accepts sessions it issued; stock Rasa takes any sender id."""
    if sessions != "ours":
        return f"load-{n}-{time.monotonic_ns()}"
    async with session.post(url.removesuffix("/webhook") + "/session") as reply:
        return str((await reply.json())["sender"])


async def run(url: str, rate: float, seconds: float, sessions: str, messages: list[str]) -> dict[str, float]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        senders = [await _new_sender(session, url, sessions, n) for n in range(POOL)]
        turns = [0] * POOL
        latencies: list[float] = []
        failed = 0

        async def send(conversation: int) -> None:
            nonlocal failed
            message = messages[turns[conversation] % len(messages)]
            turns[conversation] += 1
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": senders[conversation], "message": message}) as reply:
                    await reply.read()
                    if reply.status != 200:
                        failed += 1
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                failed += 1
                return
            latencies.append(time.perf_counter() - started)

        total = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for n in range(total):
            # Arrivals on a fixed schedule, not "one after another": a late arrival is sent at once.
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(n % POOL)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    answered = len(latencies)
    return {
        "rate": rate, "sent": total, "answered": answered, "failed": failed,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else float("inf"),
        "p95_ms": round(latencies[int(0.95 * (answered - 1))] * 1000, 1) if latencies else float("inf"),
        "achieved_rate": round(answered / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sessions", choices=("ours", "stock"), default="stock")
    parser.add_argument("--messages", required=True, help="messages separated by |")
    arguments = parser.parse_args()
    result = asyncio.run(run(arguments.url, arguments.rate, arguments.seconds, arguments.sessions,
                             arguments.messages.split("|")))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
