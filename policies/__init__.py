"""Rasa dialogue policies of the assistant (configured in config.yml)."""
