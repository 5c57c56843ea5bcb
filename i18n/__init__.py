"""Languages, message catalogs and locale-aware formatting. Rasa-free by design."""
