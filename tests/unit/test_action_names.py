"""Every action the domain names is served by exactly one rasa-sdk Action in actions/, the way the action
server registers them, and each has its unit tests (tests/unit/test_action_*.py)."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]
TESTED_IN = {
    "action_answer_rights": "test_action_rights.py",
    "action_find_service": "test_action_find_service.py",
    "action_fallback": "test_action_fallback.py",
    "action_safety": "test_action_safety.py",
    "action_safety_followup": "test_action_safety.py",
    "action_forget_me": "test_action_forget_me.py",
}


def custom_actions_of_the_domain() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        names |= {name for name in yaml.safe_load(path.read_text(encoding="utf-8")).get("actions") or []
                  if name.startswith("action_")}
    return names


def test_the_action_server_registers_exactly_the_domains_custom_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == custom_actions_of_the_domain()


def test_every_action_has_its_tests() -> None:
    assert set(TESTED_IN) == custom_actions_of_the_domain()
    executor = ActionExecutor()
    executor.register_package("actions")
    for action, module in TESTED_IN.items():
        source = (Path(__file__).parent / module).read_text(encoding="utf-8")
        # executor.actions holds each action's bound run method.
        assert f"run({type(executor.actions[action].__self__).__name__}()" in source, (action, module)
