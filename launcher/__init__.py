"""Starts the three processes (Rasa, action server, portal) for `make run` and the end-to-end tests."""
