// Try many: pasted lines or a CSV or JSONL file scored as one batch; a table sorted, filtered and exported.
import { languageLine, $, download, el, pct, say, score, state } from "./api.js";
import { correctButton } from "./single.js";

function parseCsv(source) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && source[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const header = (rows.shift() || []).map((h) => h.trim().toLowerCase());
  const column = header.indexOf("text");
  if (column < 0) throw new Error("The CSV file has no column named text in its first line.");
  const id = header.indexOf("id");
  return rows.filter((r) => (r[column] || "").trim())
    .map((r) => ({ text: r[column], id: id >= 0 ? r[id] : "" }));
}

function parseJsonl(source) {
  return source.split(/\r?\n/).map((line, index) => [line, index + 1]).filter(([line]) => line.trim())
    .map(([line, number]) => {
      let item;
      try { item = JSON.parse(line); } catch (e) { throw new Error(`Line ${number} of the file is not JSON.`); }
      if (!item || typeof item.text !== "string") throw new Error(`Line ${number} of the file has no "text" string.`);
      return { text: item.text, id: item.id === undefined ? "" : String(item.id) };
    });
}

async function batchItems() {
  const file = $("many-file").files[0];
  if (file) {
    const source = (await file.text()).replace(/^\uFEFF/, "");  // spreadsheets often start a CSV with a BOM
    return /\.csv$/i.test(file.name) ? parseCsv(source) : parseJsonl(source);
  }
  return $("many-text").value.split(/\r?\n/).filter((line) => line.trim()).map((text) => ({ text, id: "" }));
}

export async function scoreMany(event) {
  event.preventDefault();
  $("many-submit").disabled = true;
  try {
    const items = await batchItems();
    const limit = state.model ? state.model.limits.max_batch : 1000;
    if (!items.length) throw new Error("Paste at least one comment, one per line, or choose a file.");
    if (items.length > limit) throw new Error(`${items.length} comments; this server scores at most ${limit} per batch (TOXICITY_MAX_BATCH). Split the list.`);
    const data = await score(items.map((i) => i.text), false);
    state.rows = data.results.map((r, index) => ({ ...r, n: index + 1, id: items[index].id, text: items[index].text }));
    state.sort = null;
    renderTable();
    $("many-result").hidden = false;
    say(`Scored ${state.rows.length} comments with model ${data.model.version}.`);
  } catch (e) {
    say(e.message, true);
  } finally {
    $("many-submit").disabled = false;
  }
}

// Every attribute any row was scored for: in a mixed-language batch a row may lack some.
function attributesOf(rows) { return [...new Set(rows.flatMap((r) => Object.keys(r.scores)))]; }

function languageOf(r) { return r.language ? r.language.code : ""; }

function visibleRows() {
  let rows = state.rows.slice();
  if ($("only-flagged").checked) rows = rows.filter((r) => r.flagged.length);
  if (state.sort) {
    const { key, down } = state.sort;
    const value = (r) => (key === "#" ? r.n : (r.scores[key] ?? -1));
    rows.sort((a, b) => (down ? value(b) - value(a) : value(a) - value(b)));
  }
  return rows;
}

// Short column headers, so that the table fits a desktop window without scrolling; the full name is in the
// header's title and its button's accessible name.
const SHORT = {
  TOXICITY: "Toxic", SEVERE_TOXICITY: "Severe", INSULT: "Insult", THREAT: "Threat", IDENTITY_ATTACK: "Identity",
  PROFANITY: "Profane", SEXUALLY_EXPLICIT: "Sexual", FLIRTATION: "Flirt",
};
export function shortName(name) {
  if (SHORT[name]) return SHORT[name];
  const word = name.split("_")[0];
  return word.charAt(0) + word.slice(1, 7).toLowerCase();
}

function headerCell(key, label, full) {
  const sorted = state.sort && state.sort.key === key;
  const th = el("th", { scope: "col", title: full, className: "sort" });
  th.setAttribute("aria-sort", sorted ? (state.sort.down ? "descending" : "ascending") : "none");
  const arrow = sorted ? (state.sort.down ? " \u25bc" : " \u25b2") : "";
  const button = el("button", { type: "button", textContent: label + arrow, title: `Sort by ${full}` });
  button.setAttribute("aria-label", `Sort by ${full}`);
  button.dataset.sort = key;
  button.addEventListener("click", () => {
    state.sort = { key, down: sorted ? !state.sort.down : key !== "#" };
    renderTable();
    document.querySelector(`#many-table th button[data-sort="${key}"]`).focus();
  });
  th.append(button);
  return th;
}

// The action comes first, so it is reachable without scrolling at any width; below 600 px each row is a card.
export function renderTable() {
  const names = attributesOf(state.rows);
  const head = el("tr", {}, el("th", { scope: "col", className: "fix", textContent: "Fix", title: "Record a correction" }),
    headerCell("#", "#", "comment number"), el("th", { scope: "col", className: "text", textContent: "Comment" }),
    el("th", { scope: "col", className: "lang", textContent: "Lang", title: "Language the comment was scored in" }));
  for (const name of names) head.append(headerCell(name, shortName(name), name));
  head.append(el("th", { scope: "col", className: "flags", textContent: "Flagged" }));
  $("many-table").tHead.replaceChildren(head);
  const body = $("many-table").tBodies[0];
  body.replaceChildren();
  const rows = visibleRows();
  for (const r of rows) {
    const wrong = el("button", { type: "button", className: "wrong", textContent: "Wrong?" });
    wrong.setAttribute("aria-label", `This is wrong: comment ${r.n}`);
    wrong.title = `This is wrong: record a correction for comment ${r.n}`;
    wrong.addEventListener("click", () => {
      const panel = $("many-correct");
      panel.replaceChildren(el("p", { textContent: `Comment ${r.n}: ${r.text}` }), correctButton(r.text, r));
      panel.querySelector("button.wrong").click();
    });
    const tr = el("tr", {}, el("td", { className: "fix" }, wrong),
      el("td", { className: "num n", textContent: String(r.n) }), el("td", { className: "text", textContent: r.text }));
    const lang = el("td", { className: "lang", textContent: languageOf(r), title: languageLine(r) });
    lang.dataset.label = "Language";
    tr.append(lang);
    for (const name of names) {
      const flagged = r.flagged.includes(name);
      const scored = name in r.scores;
      const cell = el("td", { className: flagged ? "num flagged" : "num", textContent: scored ? pct(r.scores[name]) : "\u2014" });
      cell.title = scored ? `${name}${flagged ? ", flagged" : ""}` : `${name}: not scored in this comment's language`;
      cell.dataset.attribute = name;
      cell.dataset.label = shortName(name);
      tr.append(cell);
    }
    const flags = el("td", { className: "flags", textContent: r.flagged.map(shortName).join(", ") });
    flags.title = r.flagged.join(", ");
    if (r.flagged.length) flags.dataset.label = "Flagged";
    tr.append(flags);
    body.append(tr);
  }
  $("many-count").textContent = `${rows.length} of ${state.rows.length} shown`;
}

// A cell starting with = + - @ would run as a formula in a spreadsheet; a leading ' keeps it text.
function csvCell(value) {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}


export function exportCsv() {
  const names = attributesOf(state.rows);
  const lines = [["n", "id", "text", "language", ...names, "flagged"].join(",")];
  for (const r of visibleRows()) {
    const values = names.map((n) => (n in r.scores ? r.scores[n].toFixed(4) : ""));
    lines.push([r.n, r.id, r.text, languageOf(r), ...values, r.flagged.join(" ")].map(csvCell).join(","));
  }
  download("scores.csv", "text/csv", lines.join("\r\n") + "\r\n");
}

