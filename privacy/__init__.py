"""What we keep and what we never keep. Rasa-free by design."""
