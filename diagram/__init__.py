"""Pictures of the decision: a case's path through the chapter, and the
chapter's decision trees, laid out by Graphviz (`dot`).

    >>> picture = draw({"situation": "pathological_fracture", "bone": "femur", "site": "neck",
    ...                 "life_expectancy": "6_to_12_months", "fit_for_surgery": True})
    >>> picture.text.splitlines()[1].split(" ; ")[0]
    '1. Situation (§ 2.2) : Fracture pathologique'

`Picture.dot` (the dot source), `.svg` (sanitised), `.png` (for Matrix and
the PDF) and `.text` (the same path in words: screen readers, text channels).
"""

from .graphviz import DiagramError
from .picture import Picture, draw
from .sanitize import UnsafeSvg, sanitize_svg

__all__ = ["DiagramError", "Picture", "UnsafeSvg", "draw", "sanitize_svg"]
