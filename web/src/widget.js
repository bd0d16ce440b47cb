// The assistant's chat widget: one <script> tag puts it in any page and talks
// to the Rasa server over its socket.io channel (credentials.yml).
//
//   <div id="clinibot"></div>
//   <script src="https://serveur/clinibot-widget.js"
//           data-server="https://rasa.serveur:5005" data-target="#clinibot" defer></script>
//
// The conversation (session id and messages shown) is kept in the tab's
// sessionStorage: a reload shows it again and goes on with the same Rasa
// conversation; closing the tab forgets it.

import { io } from "socket.io-client";
import { toSafeFragment } from "./markdown.js";
import { safeSvg, svgDataUrl } from "./svg.js";

const TEXTS = {
  title: "Assistant «\u00a0Chirurgie des métastases osseuses des membres\u00a0»",
  subtitle: "Aide à la décision pour la RCP, qui reste seule à décider. Aucune donnée identifiante.",
  log: "Conversation",
  bot: "L'assistant : ",
  user: "Vous : ",
  replies: "Réponses proposées",
  input: "Message",
  placeholder: "Décrivez le cas ou répondez à la question",
  send: "Envoyer",
  restart: "Recommencer",
  download: "Fiche PDF",
  downloadMarkdown: "Fiche .md",
  downloadHint: "Télécharge la fiche pour la RCP, en PDF ou en Markdown, préparée par le serveur ; disponible dès que l'assistant a donné sa recommandation.",
  typing: "L'assistant rédige sa réponse…",
  connecting: "Connexion au serveur de l'assistant…",
  disconnected: "Connexion perdue : nouvelle tentative en cours…",
  unreachable: "Le serveur de l'assistant ne répond pas : nouvelle tentative en cours…",
  refused: "Le serveur de l'assistant refuse la connexion depuis cette page (origine non autorisée dans credentials.yml).",
  noAnswer: "Pas de réponse de l'assistant. Renvoyez votre message dans un instant.",
  restarted: "Conversation recommencée.",
  resent: "Connexion perdue, message renvoyé.",
  downloaded: (name) => `Récapitulatif téléchargé : ${name}.`,
  path: "Schéma",
  pathHint: "Affiche le schéma du chemin de décision de ce cas dans la conversation ; disponible dès que l'assistant a donné sa recommandation.",
  pathAlt: "Schéma du chemin de décision de ce cas (sa version texte suit)",
  pathCaption: "Chemin de décision de ce cas à travers le chapitre.",
  pathZoom: "Agrandir le schéma",
  pathText: "Version texte du schéma",
  pathSave: "Schéma .svg",
  pathSaved: (name) => `Schéma téléchargé : ${name}.`,
  zoomTitle: "Schéma du chemin de décision",
  zoomClose: "Fermer",
};

const SETTLE_MS = 1500; // a turn without a question is over after this silence
const NO_ANSWER_MS = 60000;
// A message the server could not take (turn_refused: its database or Redis
// away) is sent again after this pause, with the same id: processed once.
const RESEND_MS = 2000;
const REMEMBERED_SENT = 20;

function messageId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}
let instances = 0;

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function openStorage(kind) {
  try {
    const storage = kind === "local" ? window.localStorage : kind === "none" ? null : window.sessionStorage;
    if (storage) {
      storage.setItem("clinibot:probe", "1");
      storage.removeItem("clinibot:probe");
    }
    return storage;
  } catch (error) {
    return null; // storage disabled: the conversation is not kept across a reload
  }
}

class ChatWidget {
  constructor(root, options) {
    instances += 1;
    this.id = `clinibot-${instances}`;
    this.options = options;
    this.storage = openStorage(options.storage);
    this.storageKey = `clinibot:v1:${options.server}`;
    this.state = this.load();
    this.outbox = [];
    this.sent = new Map(); // message id -> message, the last ones sent (resent if refused)
    this.confirmed = false;
    this.turnTimer = null;
    this.noAnswerTimer = null;
    this.focusAfterTurn = null;
    this.firstOfTurn = null;
    this.answerStart = false;
    this.reportFormat = "pdf";
    this.build(root);
    this.renderAll();
    this.connect();
  }

  // --- state -------------------------------------------------------------

  load() {
    const empty = { sessionId: null, messages: [], replies: [], reportReady: false };
    if (!this.storage) return empty;
    try {
      const saved = JSON.parse(this.storage.getItem(this.storageKey));
      if (saved && Array.isArray(saved.messages)) return { ...empty, ...saved };
    } catch (error) {
      // unreadable: start again
    }
    return empty;
  }

  save() {
    if (!this.storage) return;
    try {
      this.storage.setItem(this.storageKey, JSON.stringify(this.state));
    } catch (error) {
      // full or disabled: the page still works, without persistence
    }
  }

  // --- DOM ---------------------------------------------------------------

  build(root) {
    const level = Math.min(Math.max(parseInt(this.options.headingLevel, 10) || 2, 1), 6);
    const titleId = `${this.id}-title`;
    const inputId = `${this.id}-input`;
    const hintId = `${this.id}-download-hint`;

    this.downloadButton = element("button", { type: "button", class: "cb-button cb-download", "aria-describedby": hintId, text: TEXTS.download });
    this.downloadMarkdownButton = element("button", {
      type: "button", class: "cb-button cb-download", "aria-describedby": hintId, text: TEXTS.downloadMarkdown,
    });
    this.pathButton = element("button", {
      type: "button", class: "cb-button cb-path-button", "aria-describedby": `${this.id}-path-hint`, text: TEXTS.path,
    });
    this.pathHint = element("p", { id: `${this.id}-path-hint`, class: "cb-sr", text: TEXTS.pathHint });
    this.restartButton = element("button", { type: "button", class: "cb-button cb-restart", text: TEXTS.restart });
    this.downloadHint = element("p", { id: hintId, class: "cb-sr", text: TEXTS.downloadHint });
    this.status = element("p", { class: "cb-status", role: "status" });
    this.log = element("div", {
      class: "cb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions text",
      "aria-label": TEXTS.log, tabindex: "0",
    });
    this.typing = element("div", { class: "cb-typing", role: "status" });
    this.replies = element("div", { class: "cb-replies", role: "group", "aria-label": TEXTS.replies, tabindex: "-1" });
    this.input = element("input", {
      id: inputId, class: "cb-input", type: "text", autocomplete: "off", enterkeyhint: "send",
      placeholder: TEXTS.placeholder, maxlength: "1000",
    });
    this.form = element("form", { class: "cb-form" }, [
      element("label", { for: inputId, class: "cb-label", text: TEXTS.input }),
      element("div", { class: "cb-form-row" }, [
        this.input,
        element("button", { type: "submit", class: "cb-button cb-send", text: TEXTS.send }),
      ]),
    ]);

    this.section = element("section", { class: "cb", lang: "fr", "aria-labelledby": titleId }, [
      element("header", { class: "cb-header" }, [
        element(`h${level}`, { id: titleId, class: "cb-title", text: this.options.title || TEXTS.title }),
        element("p", { class: "cb-subtitle", text: TEXTS.subtitle }),
        element("div", { class: "cb-tools" }, [
          this.downloadButton, this.downloadMarkdownButton, this.pathButton, this.restartButton, this.downloadHint,
          this.pathHint,
        ]),
      ]),
      this.status,
      this.log,
      this.typing,
      this.replies,
      this.form,
    ]);
    this.buildZoom();
    root.replaceChildren(this.section);

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.focusAfterTurn = "input";
      this.send(text, text);
    });
    this.restartButton.addEventListener("click", () => this.restart());
    this.downloadButton.addEventListener("click", () => this.download("pdf"));
    this.downloadMarkdownButton.addEventListener("click", () => this.download("markdown"));
    this.pathButton.addEventListener("click", () => this.showPath());
  }

  // The decision path enlarged: a modal dialog (Escape or « Fermer » closes
  // it, the focus goes back to what opened it).
  buildZoom() {
    const titleId = `${this.id}-zoom-title`;
    this.zoomImage = element("img", { class: "cb-zoom-img", alt: TEXTS.pathAlt });
    const close = element("button", { type: "button", class: "cb-button cb-zoom-close", text: TEXTS.zoomClose });
    this.zoom = element("dialog", { class: "cb-zoom", "aria-labelledby": titleId }, [
      element("div", { class: "cb-zoom-bar" }, [element("p", { id: titleId, class: "cb-zoom-title", text: TEXTS.zoomTitle }), close]),
      element("div", { class: "cb-zoom-view", tabindex: "0", role: "group", "aria-labelledby": titleId }, [this.zoomImage]),
    ]);
    close.addEventListener("click", () => this.zoom.close());
    // A click on the dark backdrop (outside the dialog's box) closes it too.
    this.zoom.addEventListener("click", (event) => {
      if (event.target === this.zoom) this.zoom.close();
    });
    this.zoom.addEventListener("close", () => {
      this.zoomImage.removeAttribute("src");
      if (this.zoomOpener && this.zoomOpener.isConnected) this.zoomOpener.focus();
      this.zoomOpener = null;
    });
    this.section.append(this.zoom);
  }

  openZoom(url, opener) {
    this.zoomOpener = opener;
    this.zoomImage.src = url;
    if (typeof this.zoom.showModal === "function") this.zoom.showModal();
    else this.zoom.setAttribute("open", "");
    this.zoom.querySelector(".cb-zoom-close").focus();
  }

  renderAll() {
    this.log.replaceChildren(...this.state.messages.map((message) => this.renderMessage(message)));
    this.renderReplies();
    this.updateDownload();
    this.log.scrollTop = this.log.scrollHeight;
  }

  renderMessage(message) {
    const bot = message.from === "bot";
    const body = element("div", { class: "cb-body" });
    if (bot && message.path) body.append(this.renderPath(message.path));
    else if (bot) body.append(toSafeFragment(message.text || ""));
    else body.append(element("p", { text: message.text }));
    return element("div", { class: `cb-msg ${bot ? "cb-msg-bot" : "cb-msg-user"}` }, [
      element("span", { class: "cb-sr", text: bot ? TEXTS.bot : TEXTS.user }),
      body,
    ]);
  }

  // The decision path: the picture (an <img>, click to enlarge), a button
  // that enlarges it, its text version on demand, and the SVG to save.
  renderPath(path) {
    const svg = safeSvg(path.svg);
    if (!svg) return toSafeFragment(path.text || "");
    const url = svgDataUrl(svg);
    const image = element("img", { class: "cb-path-img", src: url, alt: TEXTS.pathAlt });
    const zoom = element("button", { type: "button", class: "cb-button cb-path-zoom", "aria-haspopup": "dialog", text: TEXTS.pathZoom });
    const save = element("button", { type: "button", class: "cb-button cb-path-save", text: TEXTS.pathSave });
    image.addEventListener("click", () => this.openZoom(url, zoom));
    zoom.addEventListener("click", () => this.openZoom(url, zoom));
    save.addEventListener("click", () => {
      const filename = String(path.filename || "schema-decision.svg").replace(/[^\w.-]/g, "_");
      this.saveFile(new Blob([svg], { type: "image/svg+xml" }), filename);
      this.announce(TEXTS.pathSaved(filename), "info");
    });
    const words = element("div", { class: "cb-path-words" });
    words.append(toSafeFragment(path.text || ""));
    return element("figure", { class: "cb-path" }, [
      element("figcaption", { class: "cb-path-caption", text: TEXTS.pathCaption }),
      image,
      element("div", { class: "cb-path-tools" }, [zoom, save]),
      element("details", { class: "cb-path-text" }, [element("summary", { text: TEXTS.pathText }), words]),
    ]);
  }

  renderReplies() {
    const buttons = this.state.replies.map((reply) => {
      const button = element("button", { type: "button", class: "cb-button cb-reply", text: reply.title });
      button.addEventListener("click", () => {
        this.focusAfterTurn = "replies";
        this.send(reply.payload, reply.title);
      });
      return button;
    });
    this.replies.replaceChildren(...buttons);
  }

  updateDownload() {
    this.downloadButton.disabled = !this.state.reportReady;
    this.downloadMarkdownButton.disabled = !this.state.reportReady;
    this.pathButton.disabled = !this.state.reportReady;
  }

  // Notices: connection problems stay until solved ("warning"); the others
  // ("info") go after a while.
  announce(text, kind = "warning") {
    clearTimeout(this.statusTimer);
    this.status.textContent = text || "";
    this.status.dataset.kind = kind;
    if (text && kind === "info") this.statusTimer = setTimeout(() => this.announce(""), 10000);
  }

  // --- conversation ------------------------------------------------------

  append(message) {
    this.state.messages.push(message);
    const node = this.renderMessage(message);
    this.log.append(node);
    const bottom = this.log.scrollHeight - this.log.clientHeight;
    if (message.from === "user") {
      this.firstOfTurn = null;
      this.log.scrollTop = bottom;
      return;
    }
    // A long answer is read from its start: the turn's first message (or the
    // verdict, when the answer comes) stays in view rather than its last one.
    if (!this.firstOfTurn || this.answerStart) this.firstOfTurn = node;
    this.answerStart = false;
    this.log.scrollTop = Math.min(this.firstOfTurn.offsetTop - 8, bottom);
  }

  send(payload, shown) {
    if (shown !== null) this.append({ from: "user", text: shown });
    this.state.replies = [];
    this.renderReplies();
    if (this.focusAfterTurn === "replies") this.replies.focus();
    this.save();
    this.updateDownload();
    this.setTyping(true);
    clearTimeout(this.noAnswerTimer);
    this.noAnswerTimer = setTimeout(() => {
      this.setTyping(false);
      this.announce(TEXTS.noAnswer);
      this.settleFocus();
    }, NO_ANSWER_MS);
    this.outbox.push({ message: payload, message_id: messageId() });
    this.flush();
  }

  flush() {
    if (!this.confirmed || !this.socket) return;
    while (this.outbox.length) {
      const item = this.outbox.shift();
      this.sent.set(item.message_id, item);
      if (this.sent.size > REMEMBERED_SENT) this.sent.delete(this.sent.keys().next().value);
      this.socket.emit(this.options.userEvent, { ...item, session_id: this.state.sessionId });
    }
  }

  resend(refused) {
    const item = refused && this.sent.get(refused.message_id);
    if (!item) return;
    this.announce(TEXTS.resent);
    setTimeout(() => {
      this.outbox.push(item);
      this.flush();
    }, RESEND_MS);
  }

  receive(data) {
    if (!data || typeof data !== "object") return;
    // Custom payloads of the assistant: a recommendation was given (the RCP
    // sheet can be asked for), or the sheet itself, asked for by the button.
    if (data.recommendation_ready) {
      this.state.reportReady = true;
      this.save();
      this.updateDownload();
      return;
    }
    if (data.rcp_report && typeof data.rcp_report === "object") {
      this.saveReport(data.rcp_report);
      return;
    }
    // The decision path (« schéma »): shown as a message, once made safe.
    if (data.path && typeof data.path === "object") {
      const svg = safeSvg(data.path.svg);
      if (!svg) return;
      const text = typeof data.path.text === "string" ? data.path.text : "";
      const filename = typeof data.path.filename === "string" ? data.path.filename : "";
      clearTimeout(this.noAnswerTimer);
      this.append({ from: "bot", text: "", path: { svg, text, filename } });
      this.save();
      clearTimeout(this.turnTimer);
      this.turnTimer = setTimeout(() => this.endOfTurn(), SETTLE_MS);
      return;
    }
    // A new consultation has started (« Recommencer » confirmed): the log
    // starts again with it.
    if (data.new_consultation) {
      this.state.messages = [];
      this.state.replies = [];
      this.state.reportReady = false;
      this.firstOfTurn = null;
      this.renderAll();
      this.save();
      this.announce(TEXTS.restarted, "info");
      return;
    }
    // The answer starts here: it, not the « Noté : … » before it, is kept in view.
    if (data.answer_start) {
      this.answerStart = true;
      return;
    }
    const quick = data.quick_replies || data.buttons || [];
    const replies = quick
      .filter((reply) => reply && reply.title)
      .map((reply) => ({ title: String(reply.title), payload: String(reply.payload ?? reply.title) }));
    const text = typeof data.text === "string" ? data.text : "";
    if (!text && !replies.length) return; // images, custom payloads: not used by this assistant
    clearTimeout(this.noAnswerTimer);
    if (this.status.textContent === TEXTS.noAnswer) this.announce("");
    this.append({ from: "bot", text, replies });
    if (replies.length) {
      this.state.replies = replies;
      this.renderReplies();
    }
    this.save();
    this.updateDownload();
    clearTimeout(this.turnTimer);
    // A question ends the bot's turn: it waits for the answer. Otherwise the
    // turn is taken as over when no message has come for a moment.
    if (replies.length) this.endOfTurn();
    else this.turnTimer = setTimeout(() => this.endOfTurn(), SETTLE_MS);
  }

  endOfTurn() {
    clearTimeout(this.turnTimer);
    this.setTyping(false);
    this.settleFocus();
  }

  settleFocus() {
    const wanted = this.focusAfterTurn;
    this.focusAfterTurn = null;
    if (!wanted) return;
    const active = document.activeElement;
    const inWidget = Boolean(active) && this.section.contains(active);
    if (active && active !== document.body && !inWidget) return; // the user went elsewhere meanwhile
    if (wanted === "replies") (this.replies.querySelector("button") || this.input).focus();
    else if (!inWidget || active === this.replies) this.input.focus();
  }

  setTyping(on) {
    this.typing.replaceChildren();
    if (on) {
      this.typing.append(
        element("span", { class: "cb-dots", "aria-hidden": "true" }, [element("span"), element("span"), element("span")]),
        element("span", { class: "cb-typing-text", text: TEXTS.typing }),
      );
    }
  }

  restart() {
    // The assistant asks first (Oui / Non) when a case is in progress; the log
    // is cleared when it starts the new consultation (`new_consultation`).
    this.focusAfterTurn = "replies";
    this.send(this.options.restartPayload, null);
  }

  showPath() {
    if (!this.state.reportReady) return;
    this.focusAfterTurn = "input";
    this.send(this.options.pathPayload, TEXTS.path);
  }

  saveFile(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = element("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  download(format) {
    // The server builds the sheet (records/report.py) from the conversation's
    // last recommendation: the same as « rapport » in the chat and the PDF.
    if (!this.state.reportReady) return;
    this.reportFormat = format;
    this.send(this.options.reportPayload, null);
  }

  saveReport(report) {
    clearTimeout(this.noAnswerTimer);
    this.endOfTurn();
    const pdf = this.reportFormat !== "markdown" && typeof report.pdf_base64 === "string";
    const name = pdf ? report.pdf_filename || "recapitulatif-rcp.pdf" : report.filename || "recapitulatif-rcp.md";
    const filename = String(name).replace(/[^\w.-]/g, "_");
    let blob;
    if (pdf) {
      const bytes = Uint8Array.from(atob(report.pdf_base64), (char) => char.charCodeAt(0));
      blob = new Blob([bytes], { type: "application/pdf" });
    } else {
      // UTF-8 without a byte-order mark: the file starts with its title.
      blob = new Blob([String(report.markdown || "")], { type: "text/markdown;charset=utf-8" });
    }
    this.saveFile(blob, filename);
    this.announce(TEXTS.downloaded(filename), "info");
  }

  // --- socket.io ---------------------------------------------------------

  connect() {
    this.announce(TEXTS.connecting);
    // WebSocket first (a refused origin is then told apart from a network
    // error); HTTP long-polling if a proxy lets no WebSocket through.
    const socket = io(this.options.server, {
      path: this.options.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelayMax: 10000,
    });
    this.socket = socket;
    socket.on("connect", () => {
      // Joins the Rasa conversation kept from before a reload, if any.
      socket.emit("session_request", { session_id: this.state.sessionId });
    });
    socket.on("session_confirm", (sessionId) => {
      const id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
      const fresh = !this.state.messages.length && !this.state.sessionId;
      this.state.sessionId = id || this.state.sessionId;
      this.save();
      this.confirmed = true;
      if ([TEXTS.connecting, TEXTS.disconnected, TEXTS.unreachable].includes(this.status.textContent)) this.announce("");
      if (fresh && !this.outbox.length && this.options.initPayload) this.send(this.options.initPayload, null);
      else this.flush();
    });
    socket.on(this.options.botEvent, (data) => this.receive(data));
    socket.on("turn_refused", (refused) => this.resend(refused));
    socket.on("disconnect", () => {
      this.confirmed = false;
      this.announce(TEXTS.disconnected);
    });
    socket.on("connect_error", () => {
      this.confirmed = false;
      // A refusal by the server's connect handler is final; a network error retries.
      this.announce(socket.active ? TEXTS.unreachable : TEXTS.refused);
      if (!socket.active) this.setTyping(false);
    });
  }
}

// --- options and mounting -------------------------------------------------

function defaults() {
  return {
    server: `${window.location.protocol}//${window.location.hostname}:5005`,
    socketPath: "/socket.io/",
    storage: "session",
    initPayload: "/greet",
    restartPayload: "/start_consultation",
    reportPayload: '/ask_report{"delivery": "file"}',
    pathPayload: "/ask_path",
    userEvent: "user_uttered",
    botEvent: "bot_uttered",
    headingLevel: 2,
    title: null,
  };
}

const SCRIPT_OPTIONS = {
  server: "data-server", socketPath: "data-socket-path", storage: "data-storage", initPayload: "data-init-payload",
  headingLevel: "data-heading-level", title: "data-title",
};

export function mount(target, options = {}) {
  const root = typeof target === "string" ? document.querySelector(target) : target;
  if (!root) throw new Error(`clinibot: no element ${target}`);
  return new ChatWidget(root, { ...defaults(), ...options, server: String(options.server || defaults().server).replace(/\/+$/, "") });
}

function stylesheet(script) {
  if (!script || !script.src || document.querySelector("link[data-clinibot]")) return;
  const href = script.src.replace(/\.js(\?.*)?$/, ".css$1");
  document.head.append(element("link", { rel: "stylesheet", href, "data-clinibot": "" }));
}

function autoMount(script) {
  if (!script || script.hasAttribute("data-manual")) return;
  const options = {};
  for (const [name, attribute] of Object.entries(SCRIPT_OPTIONS)) {
    if (script.hasAttribute(attribute)) options[name] = script.getAttribute(attribute);
  }
  const start = () => {
    let root = script.getAttribute("data-target") && document.querySelector(script.getAttribute("data-target"));
    if (!root) {
      root = element("div", { class: "cb-root" });
      script.after(root);
    }
    mount(root, options);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

const currentScript = document.currentScript;
stylesheet(currentScript);
window.Clinibot = { mount };
autoMount(currentScript);
