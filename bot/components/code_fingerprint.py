"""A mixin for our Rasa components: their training cache entry also depends on our code."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from bot.model_code import model_code_fingerprint


class FingerprintedByCode:
    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Rasa's training cache knows our config, not our code: without this a code change would be
        # replaced by the cached output of the old code (see bot/model_code.py).
        return model_code_fingerprint()
