# make mutation: mutation testing of the decision rules. Slow (more than
# an hour on 2 cores since 0.4.0): not part of `make test`. mutmut changes
# decision/rules.py, decision/question_order.py and decision/mirels.py one
# mutant at a time and runs the decision suite on each (pyproject.toml,
# [tool.mutmut]); the score of
# rules.py must reach MUTATION_MINIMUM %. The survivors are listed by
# `$(MUTATION_VENV)/bin/mutmut results`, and shown by `mutmut show NAME`.

MUTATION_REQUIREMENTS := mk/mutation-requirements.txt
MUTATION_VENV ?= $(HOME)/.cache/clinibot/mutation-$(shell sha256sum $(MUTATION_REQUIREMENTS) | cut -c1-12)
MUTATION_MINIMUM ?= 90

.PHONY: mutation

$(MUTATION_VENV)/.installed: | $(MUTATION_REQUIREMENTS)
	$(call python_venv,$(MUTATION_VENV),$(MUTATION_REQUIREMENTS),$(BASE_PYTHON))

mutation: $(MUTATION_VENV)/.installed ## mutation testing of the decision rules (over an hour; at least 90 % killed)
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(MUTATION_VENV)/bin/mutmut run --max-children 2
	$(MUTATION_VENV)/bin/python scripts/mutation_score.py $(MUTATION_VENV)/bin/mutmut \
		--minimum $(MUTATION_MINIMUM) --require decision/rules.py
