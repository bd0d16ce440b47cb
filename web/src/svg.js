// The decision path's picture (an SVG drawn by the server, diagram/) made
// safe to show: parsed as XML, then only drawing elements and attributes are
// kept — no script, no foreign HTML, no event handler, no link or reference
// outside the picture itself. It is then shown through an <img> (a data: URL),
// where an SVG can neither run a script nor load anything: two locks.

const MAX_SVG_CHARS = 2_000_000;
const SVG_NS = "http://www.w3.org/2000/svg";
const DROPPED = new Set([
  "script", "foreignobject", "iframe", "object", "embed", "image", "use", "a", "animate", "animatemotion",
  "animatetransform", "set", "handler", "listener", "audio", "video", "canvas",
]);

function clean(node) {
  for (const child of [...node.children]) {
    if (child.namespaceURI !== SVG_NS || DROPPED.has(child.localName.toLowerCase())) {
      // A link keeps what it draws; anything else goes whole.
      if (child.localName.toLowerCase() === "a" && child.namespaceURI === SVG_NS) {
        clean(child);
        child.replaceWith(...child.childNodes);
      } else {
        child.remove();
      }
      continue;
    }
    clean(child);
  }
  for (const attribute of [...node.attributes]) {
    const name = attribute.name.toLowerCase();
    const value = attribute.value.trim().toLowerCase();
    const reference = name === "href" || name.endsWith(":href") || name === "src";
    if (name.startsWith("on") || (reference && !value.startsWith("#")) || /url\(\s*['"]?(?!#)/.test(value)
        || value.includes("javascript:")) {
      node.removeAttribute(attribute.name);
    }
  }
}

/** The SVG text, cleaned, or null if it is not an SVG picture. */
export function safeSvg(text) {
  if (typeof text !== "string" || !text || text.length > MAX_SVG_CHARS) return null;
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.localName !== "svg" || root.namespaceURI !== SVG_NS || doc.getElementsByTagName("parsererror").length) {
    return null;
  }
  clean(root);
  for (const style of [...root.getElementsByTagNameNS(SVG_NS, "style")]) {
    if (/@import|url\(\s*['"]?(?!#)/i.test(style.textContent || "")) style.remove();
  }
  return new XMLSerializer().serializeToString(root);
}

/** The cleaned SVG as a data: URL for an <img>. */
export function svgDataUrl(svg) {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
