"""Running the Rasa server with the project's operational behaviour."""
