"""The service directory: HSDS 3.0-shaped listings, nearest search, places. Rasa-free by design."""
