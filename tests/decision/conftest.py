"""Hypothesis profiles: `make mutation` runs the decision suite once per
mutant, with fewer examples per property (HYPOTHESIS_PROFILE=mutation)."""

import os

from hypothesis import settings

settings.register_profile("mutation", max_examples=120, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
