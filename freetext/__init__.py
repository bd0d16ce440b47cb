"""Free-text reading of case facts.

``parser`` holds the two entry points (``extract_facts``, ``interpret_answer``);
the work is split by job: ``tokens``, ``lexicon`` (with ``lexicon.yml``),
``spelling``, ``quantities``, ``negation``, ``analysis``, and ``fields`` for
what they emit. All pure Python, no Rasa: the Rasa NLU component built on it
is ``nlu.case_fact_extractor.CaseFactExtractor``.
"""
