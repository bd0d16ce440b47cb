"""Custom actions: thin glue between Rasa and the `decision` and `consultation`
packages (one action per file)."""
