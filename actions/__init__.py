"""rasa-sdk actions, one module per feature. No user-facing text here: actions name a response
(utter_*) and pass data; the NLG endpoint renders it from locales/."""
