"""Reply latency through the REST channel, ours against stock `rasa init` (trained in a temporary folder),
side by side in one run: turn 1 and turn 200 of a conversation, 50 concurrent conversations (messages
per second, p95), the highest arrival rate each server sustains with p95 under 500 ms (an open-loop load
generator in its own process, bench/load.py), and the Rasa server's memory.

Prints ratios, never bare times: our turn 1 against stock turn 1 (target 1.0x), our turn 200 against our
turn 1 (budget 1.5x, i.e. flat), with stock Rasa's own growth for context; sustained rate (target 2x
stock's), p95 at 50 conversations (target 500 ms), memory (target 0.6x stock's).

    make bench-turns
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STATE = Path(tempfile.mkdtemp(prefix="bench-latency-"))
os.environ.setdefault("STATE_DIR", str(STATE))
os.environ.setdefault("DIRECTORY_DB_URL", f"sqlite:///{STATE / 'directory.sqlite3'}")
os.environ.setdefault("CONVERSATION_STORE_URL", f"sqlite:///{STATE / 'conversations.sqlite3'}")

from launcher.stack import Ports, Stack, _answers  # noqa: E402
from launcher.training import subprocess_env  # noqa: E402
from services_db.database import make_engine  # noqa: E402
from services_db.sample_loader import load_directory_file  # noqa: E402
from settings import get_settings  # noqa: E402

OUR_MESSAGES = ["hi", "can I see a doctor without papers?", "find a clinic near Alfama", "thanks", "yes"]
STOCK_MESSAGES = ["hi", "I am sad", "yes", "great", "bye"]
TURNS = int(os.environ.get("BENCH_TURNS", "200"))
STOCK_TURNS = int(os.environ.get("BENCH_STOCK_TURNS", "150"))
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "3"))
WINDOW = 10
CONCURRENT = int(os.environ.get("BENCH_CONCURRENT", "50"))
MESSAGES_EACH = int(os.environ.get("BENCH_MESSAGES_EACH", "10"))
# Arrival rates tried in turn (messages per second), each for STEP_SECONDS, until p95 passes P95_LIMIT.
RATES = [float(r) for r in os.environ.get("BENCH_RATES", "5,10,15,20,25,30,40,50,60,80,100").split(",")]
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "10"))
P95_LIMIT_MS = 500.0
TRAIN = os.environ.get("BENCH_TRAIN", "1") != "0"  # BENCH_TRAIN=0 skips our training from scratch (~5+ min)
STOCK_TRAINING: dict[str, float] = {}
# The bench is one address sending hundreds of messages a minute per conversation: above any abuse limit.
UNLIMITED = {"RATE_LIMIT_SENDER_PER_MINUTE": "1000000", "RATE_LIMIT_ADDRESS_PER_MINUTE": "1000000"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_sender(url: str, label: str) -> str:
    """Our REST channel only accepts sessions it issued; stock Rasa takes any sender id."""
    if "/webhooks/rest/webhook" in url and label.startswith("ours"):
        request = urllib.request.Request(url.removesuffix("/webhook") + "/session", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())["sender"]
    return label


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def conversation_latencies(url: str, label: str, messages: list[str], turns: int) -> list[float]:
    sender = new_sender(url, label)
    latencies = []
    for turn in range(turns):
        body = json.dumps({"sender": sender, "message": messages[turn % len(messages)]}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as reply:
            reply.read()
        latencies.append(time.perf_counter() - start)
    return latencies


def windows(url: str, messages: list[str], turns: int, label: str) -> tuple[float, float]:
    first, last = [], []
    for n in range(CONVERSATIONS):
        latencies = conversation_latencies(url, f"{label}-{n}", messages, turns)
        first += latencies[:WINDOW]
        last += latencies[-WINDOW:]
    return statistics.median(first), statistics.median(last)


def concurrent_load(url: str, messages: list[str], label: str) -> tuple[float, float]:
    """(messages per second, p95 latency) with CONCURRENT conversations sending MESSAGES_EACH messages."""
    from concurrent.futures import ThreadPoolExecutor

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        runs = list(pool.map(lambda n: conversation_latencies(url, f"{label}-load-{n}", messages, MESSAGES_EACH),
                             range(CONCURRENT)))
    elapsed = time.perf_counter() - start
    latencies = sorted(latency for run in runs for latency in run)
    return len(latencies) / elapsed, latencies[int(0.95 * (len(latencies) - 1))]


def sustained_rate(url: str, messages: list[str], sessions: str) -> tuple[float, list[dict[str, float]]]:
    """The highest arrival rate at which every message is answered with p95 under P95_LIMIT_MS."""
    best, steps = 0.0, []
    for rate in RATES:
        command = [sys.executable, "-m", "bench.load", "--url", url, "--rate", str(rate), "--seconds",
                   str(STEP_SECONDS), "--sessions", sessions, "--messages", "|".join(messages)]
        step = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        steps.append(step)
        print(f"  {sessions}: {rate:g} msg/s offered -> p95 {step['p95_ms']:.0f} ms, "
              f"{step['answered']}/{step['sent']} answered", flush=True)
        if step["failed"] or step["answered"] < step["sent"] or step["p95_ms"] >= P95_LIMIT_MS:
            break
        best = rate
    return best, steps


def train_ours_from_scratch() -> tuple[float, float]:
    """(seconds, MB) of a training of our model with an empty Rasa cache, as on a fresh clone."""
    from settings import ROOT

    env = {**subprocess_env(), "RASA_CACHE_DIRECTORY": str(STATE / "empty-cache")}
    print("Training our model from scratch (empty cache)…", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot.rasa_entry", "train", "--config", "config.yml", "--domain", "bot/domain",
                    "--data", "data", "--out", str(STATE / "ours-model"), "--fixed-model-name", "scratch"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, (STATE / "ours-model" / "scratch.tar.gz").stat().st_size / 1e6


def start_stock_rasa(workdir: Path) -> subprocess.Popen[bytes]:
    env = subprocess_env()
    bin_dir = Path(sys.executable).parent
    print("Training stock `rasa init` (baseline)…", flush=True)
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([str(bin_dir / "rasa"), "init", "--no-prompt", "--init-dir", str(workdir)], env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    STOCK_TRAINING["seconds"] = time.perf_counter() - start
    STOCK_TRAINING["mb"] = sum(model.stat().st_size for model in (workdir / "models").glob("*.tar.gz")) / 1e6
    port = free_port()
    process = subprocess.Popen(
        [str(bin_dir / "rasa"), "run", "--port", str(port), "--interface", "127.0.0.1"], cwd=workdir, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    process.url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"  # type: ignore[attr-defined]
    while not _answers(f"http://127.0.0.1:{port}/webhooks/rest/"):
        time.sleep(0.5)
    return process


def main() -> None:
    settings = get_settings()
    load_directory_file(make_engine(settings.directory_db_url), Path(settings.sample_directory_json))
    stock = start_stock_rasa(STATE / "stock")
    our_training = train_ours_from_scratch() if TRAIN else None
    ours = Stack(Ports(free_port(), free_port(), free_port()), extra_env=UNLIMITED)
    ours.start()
    try:
        print(f"Measuring: {CONVERSATIONS} conversations each; ours {TURNS} turns, stock {STOCK_TURNS} turns.")
        stock_first, stock_last = windows(stock.url, STOCK_MESSAGES, STOCK_TURNS, "stock")  # type: ignore[attr-defined]
        our_first, our_last = windows(f"{ours.rasa_url}/webhooks/rest/webhook", OUR_MESSAGES, TURNS, "ours")
        stock_rate, stock_p95 = concurrent_load(stock.url, STOCK_MESSAGES, "stock")  # type: ignore[attr-defined]
        our_rate, our_p95 = concurrent_load(f"{ours.rasa_url}/webhooks/rest/webhook", OUR_MESSAGES, "ours")
        print("Open-loop load: the highest rate with p95 under 500 ms…", flush=True)
        stock_sustained, _ = sustained_rate(stock.url, STOCK_MESSAGES, "stock")  # type: ignore[attr-defined]
        our_sustained, _ = sustained_rate(f"{ours.rasa_url}/webhooks/rest/webhook", OUR_MESSAGES, "ours")
        stock_rss, our_rss = rss_mb(stock.pid), rss_mb(ours.by_name["rasa"].pid)
    finally:
        ours.stop()
        stock.terminate()
        stock.wait(timeout=30)
    print(f"ours turn 1 / stock turn 1 (p50):         {our_first / stock_first:6.2f}x   (target 1.0x)")
    print(f"ours turn {TURNS} / ours turn 1 (p50):        {our_last / our_first:6.2f}x   (budget 1.5x)")
    print(f"stock turn {STOCK_TURNS} / stock turn 1 (p50):     {stock_last / stock_first:6.2f}x   (context: stock grows)")
    print(f"Rasa server memory: ours {our_rss:.0f} MB = {our_rss / stock_rss:.2f}x stock's {stock_rss:.0f} MB "
          f"(target 0.6x, all twelve languages loaded)")
    print(f"{CONCURRENT} concurrent conversations: ours {our_rate:.0f} msg/s, {our_rate / stock_rate:.2f}x stock's "
          f"{stock_rate:.0f} msg/s; p95 ours {our_p95 * 1000:.0f} ms = {our_p95 / stock_p95:.2f}x stock "
          f"(target under 500 ms)")
    if our_training is not None:
        seconds, mb = our_training
        print(f"training from scratch: ours {seconds:.0f} s = {seconds / STOCK_TRAINING['seconds']:.2f}x stock's "
              f"{STOCK_TRAINING['seconds']:.0f} s (`rasa init`, scaffolding included; target under 180 s)")
        print(f"model size: ours {mb:.1f} MB = {mb / STOCK_TRAINING['mb']:.2f}x stock's {STOCK_TRAINING['mb']:.1f} MB "
              f"(target under 50 MB)")
    ratio = our_sustained / stock_sustained if stock_sustained else float("inf")
    print(f"sustained rate with p95 < 500 ms (open loop): ours {our_sustained:g} msg/s = {ratio:.2f}x stock's "
          f"{stock_sustained:g} msg/s (target 2.0x)")


if __name__ == "__main__":
    main()
