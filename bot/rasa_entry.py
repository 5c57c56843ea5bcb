"""`python -m bot.rasa_entry <arguments>`: Rasa's own command line (`rasa train ...`), with our adapters
to Rasa's internals installed first (bot/schema_validation.py: ~80 s less per training from scratch)."""
from __future__ import annotations


def main() -> None:
    from bot import schema_validation

    schema_validation.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
