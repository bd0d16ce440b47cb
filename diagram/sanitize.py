"""An SVG made safe to put in a page: parsed with defusedxml (no entity, no
external DTD), then rebuilt from a whitelist of elements and attributes.

Dropped: every element not in `ELEMENTS` with all it holds (script, style,
foreignObject, image, use, a, …), every attribute not in `ATTRIBUTES`
(event handlers `on…`, `href`, `style`, namespaced ones), comments,
processing instructions and the DOCTYPE, and any attribute value that could
reach outside the picture (`url(`, `javascript:`, `data:`, `expression(`,
`@import`). Colours must be plain (`#rrggbb`, a name, `none`,
`transparent`). What remains is drawing and text: Graphviz's output needs
nothing more.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

SVG_NS = "http://www.w3.org/2000/svg"
ELEMENTS = frozenset({"svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "rect", "text"})
COMMON = frozenset({"id", "class", "fill", "stroke", "stroke-width", "stroke-dasharray", "fill-opacity", "transform"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "svg": frozenset({"width", "height", "viewBox", "class", "id", "role", "aria-label"}),
    "g": COMMON,
    "title": frozenset(),
    "desc": frozenset(),
    "polygon": COMMON | {"points"},
    "polyline": COMMON | {"points"},
    "path": COMMON | {"d"},
    "ellipse": COMMON | {"cx", "cy", "rx", "ry"},
    "circle": COMMON | {"cx", "cy", "r"},
    "rect": COMMON | {"x", "y", "width", "height", "rx", "ry"},
    "text": COMMON
    | {"x", "y", "text-anchor", "font-family", "font-size", "font-weight", "font-style", "text-decoration"},
}
COLOUR_ATTRIBUTES = frozenset({"fill", "stroke"})
COLOUR = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{1,20})$")
# Anything that could fetch, run or style from outside.
FORBIDDEN = re.compile(r"url\s*\(|javascript:|data:|expression\s*\(|@import|<|>", re.IGNORECASE)


class UnsafeSvg(ValueError):
    """The text is not an SVG document (malformed, or not <svg> at its root)."""


def sanitize_svg(text: str | bytes) -> str:
    """The SVG rebuilt from what the whitelist keeps (UTF-8 text, no XML
    declaration, no DOCTYPE, no comment)."""
    try:
        root = ElementTree.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except Exception as error:  # defusedxml raises parse errors and its own refusals
        raise UnsafeSvg(f"SVG illisible ou refusé : {error}") from error
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise UnsafeSvg("le document n'est pas un SVG")
    out: list[str] = []
    _write(root, out, root=True)
    return "".join(out) + "\n"


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def _allowed(element: Element) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return False
    return _namespace(element.tag) in ("", SVG_NS) and _local(element.tag) in ELEMENTS


def _attributes(name: str, element: Element) -> list[tuple[str, str]]:
    kept = []
    for key, value in element.attrib.items():
        if key.startswith("{") or key not in ATTRIBUTES[name] or FORBIDDEN.search(value):
            continue
        if key in COLOUR_ATTRIBUTES and not COLOUR.match(value.strip()):
            continue
        kept.append((key, value))
    return kept


def _write(element: Element, out: list[str], root: bool = False) -> None:
    name = _local(element.tag)
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in _attributes(name, element))
    namespace = f' xmlns="{SVG_NS}"' if root else ""
    out.append(f"<{name}{namespace}{attributes}>")
    if element.text:
        out.append(escape(element.text))  # text, never markup: escaped
    for child in element:
        if _allowed(child):
            _write(child, out)
        if child.tail:
            out.append(escape(child.tail))
    out.append(f"</{name}>")
