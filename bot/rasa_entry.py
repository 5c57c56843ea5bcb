"""`python -m bot.rasa_entry <arguments>`: Rasa's own command line (`train`, `run`, ...) with our adapters
to Rasa's internals installed first. The launcher starts Rasa this way; plain `rasa run` still works (the
process guard installs the validators there too), only bigger and slower to start.

- JSON-schema validators built once (bot/schema_validation.py): ~80 s less per training from scratch,
  and most of the Rasa server's CPU per action call under load.
- No JAX: TensorFlow 2.12 imports it (when present) only for TFLite conversion, which Rasa never uses,
  and copes with its absence. It costs ~64 MB of every Rasa process and ~2 s of start-up."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Optional, Sequence

UNUSED_PACKAGES = ("jax", "jaxlib")


class UnusedPackageBlocker(importlib.abc.MetaPathFinder):
    """Makes `import jax` fail as if JAX were not installed (TensorFlow catches that ImportError)."""

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: object = None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname.partition(".")[0] in UNUSED_PACKAGES:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not used by this project)", name=fullname)
        return None


def main() -> None:
    sys.meta_path.insert(0, UnusedPackageBlocker())
    from bot import schema_validation

    schema_validation.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
