"""Free-text reading of case facts: see parser.py (pure Python) and rasa_component.py."""
