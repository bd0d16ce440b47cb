"""The assistant's Rasa NLU components (configured in config.yml), after the
channel and before the dialogue policies:

- `spacy_lean.LeanSpacyNLP`: spaCy's French model reduced to its tokenizer
  and word vectors (what DIET's features use);
- `case_fact_extractor.CaseFactExtractor`: the case facts of each message as entities,
  read by the free-text reader (`freetext`, pure Python).
"""
