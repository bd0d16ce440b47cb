// The bot's Markdown made into safe HTML: markdown-it parses it (raw HTML is
// not allowed, so "<script>" stays text), DOMPurify then keeps only the tags
// and attributes listed here. Nothing else reaches the page.

import MarkdownIt from "markdown-it";
import DOMPurify from "dompurify";

const md = new MarkdownIt("default", {
  html: false, // "<b>", "<img onerror>", "<script>" are shown as typed
  linkify: true, // bare URLs become links
  breaks: true, // the bot separates lines with a single "\n"
  typographer: false, // the bot's French typography is kept as written
});
// Images would load files from anywhere (and hide text behind an alt).
md.disable(["image"]);

// Numbered references keep their own numbers: "137. …", "142. …" is shown as
// 137 and 142, not 137 and 138 (markdown-it only sets <ol start>).
md.renderer.rules.list_item_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token.info) token.attrSet("value", token.info);
  return self.renderToken(tokens, idx, options);
};

// A title inside a chat message is not a heading of the host page: shown in
// bold, so the page's own heading outline stays as its authors made it.
md.renderer.rules.heading_open = () => '<p class="cb-md-title"><strong>';
md.renderer.rules.heading_close = () => "</strong></p>\n";

const ALLOWED_TAGS = [
  "p", "br", "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
  "ul", "ol", "li", "a", "span", "table", "thead", "tbody", "tr", "th", "td", "hr",
];
const ALLOWED_ATTR = ["href", "title", "start", "value", "class", "target", "rel"];

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
    if (!node.querySelector(".cb-sr")) {
      const hint = node.ownerDocument.createElement("span");
      hint.className = "cb-sr";
      hint.textContent = " (nouvel onglet)";
      node.appendChild(hint);
    }
  }
});

// CommonMark lets a numbered list interrupt a paragraph only when it starts
// at 1: the bot's "**Références**" line followed by "137. …" would otherwise
// be one paragraph. A blank line is put before such a first item.
const ORDERED_ITEM = /^\d{1,9}[.)]\s/;
const ANY_ITEM = /^\s*(\d{1,9}[.)]|[-*+])\s/;

export function normalise(text) {
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  const out = [];
  lines.forEach((line, i) => {
    const previous = i > 0 ? lines[i - 1] : "";
    if (ORDERED_ITEM.test(line) && previous.trim() !== "" && !ANY_ITEM.test(previous)) out.push("");
    out.push(line);
  });
  return out.join("\n");
}

/** The message as a DOM fragment (not an HTML string parsed a second time). */
export function toSafeFragment(text) {
  return DOMPurify.sanitize(md.render(normalise(text)), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
}
