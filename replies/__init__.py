"""Every reply of the bot rendered from the catalogs; Rasa-free, no database, no network."""
