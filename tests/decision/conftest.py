"""Hypothesis profiles: `make mutation` runs the decision suite once per
mutant and `make check` is the edit-test loop, both with fewer examples per
property (HYPOTHESIS_PROFILE=mutation or check; test_properties.examples)."""

import os

from hypothesis import settings

settings.register_profile("mutation", max_examples=120, deadline=None, derandomize=True)
settings.register_profile("check", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
