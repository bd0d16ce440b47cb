// The consultation summary for the RCP file, made in the browser from the
// conversation as shown: the bot's last « Récapitulatif du cas » message and
// the recommendation messages that follow it, as Markdown, verbatim (only a
// blank line added before a numbered list, so that any Markdown reader shows
// the references as a list, see markdown.js).

import { normalise } from "./markdown.js";

const SUMMARY_START = /^\W*Récapitulatif du cas/;
// The closing tip (« Vous pouvez demander « pourquoi ? »… ») is for the chat only.
const CHAT_ONLY = /^Vous pouvez demander/;

/** The bot messages of the last summary, or null when there is none yet. */
export function summaryMessages(messages) {
  let start = -1;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i].from === "bot" && SUMMARY_START.test(messages[i].text || "")) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  const parts = [];
  for (let i = start; i < messages.length; i += 1) {
    const message = messages[i];
    // The summary ends at the user's next message or the bot's next question.
    if (message.from !== "bot" || (message.replies && message.replies.length)) break;
    if (message.text && !CHAT_ONLY.test(message.text)) parts.push(normalise(message.text.trim()));
  }
  return parts;
}

function pad(number) {
  return String(number).padStart(2, "0");
}

/** {filename, text} of the downloadable summary, or null. `conversation` is
 * the Rasa conversation id, which finds the consultation in the records. */
export function summaryFile(messages, conversation = null, now = new Date()) {
  const parts = summaryMessages(messages);
  if (!parts) return null;
  const date = `${pad(now.getDate())}/${pad(now.getMonth() + 1)}/${now.getFullYear()}`;
  const time = `${pad(now.getHours())} h ${pad(now.getMinutes())}`;
  const text = [
    "# Consultation pour la RCP — chirurgie des métastases osseuses des membres",
    "",
    `Récapitulatif enregistré le ${date} à ${time} depuis l'assistant d'aide à la décision ` +
      "(chapitre « Chirurgie des métastases osseuses des membres » du référentiel " +
      "Auvergne-Rhône-Alpes d'oncologie thoracique).",
    ...(conversation ? ["", `Identifiant de la consultation : ${conversation}`] : []),
    "",
    ...parts.flatMap((part) => [part, ""]),
    "---",
    "",
    "*Aide à la décision : la décision appartient à la réunion de concertation pluridisciplinaire (RCP).*",
    "",
  ].join("\n");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}h${pad(now.getMinutes())}`;
  return { filename: `recapitulatif-rcp-${stamp}.md`, text };
}
