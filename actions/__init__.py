"""rasa-sdk actions, one module per feature. No user-facing text here: actions name a response
(utter_*) and pass data; the Rasa process renders it from locales/ (bot/nlg.py)."""
