// The moderators' console: plain JavaScript over the service's own API, no library, no build step.
// Comment text goes only into request bodies and the page's DOM (as text, never as HTML), never into a URL.
"use strict";

const KEY_STORE = "toxicity-console-api-key";
const ADMIN_STORE = "toxicity-console-admin-key";
const QUEUE_PAGE = 50;
const $ = (id) => document.getElementById(id);
const state = { model: null, profiles: [], single: null, rows: [], sort: null, next: null };

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) node.append(child);
  return node;
}

function say(message, isError) {
  const box = $("status");
  box.textContent = message;
  box.className = isError ? "status error" : "status";
  box.hidden = false;
}

function pct(score) { return (100 * score).toFixed(1) + "%"; }

// ---- the API ------------------------------------------------------------------------------
class ApiFailure extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function problem(status, body, retry, role) {
  if (status === 401) return `The server needs a valid ${role}: enter it above and try again.`;
  if (status === 429) return `Too many requests: the server asks to wait ${retry || "a few"} s before trying again.`;
  const err = body && body.error;
  const text = err && (err.message || (err.details && err.details[0] && err.details[0].message));
  return text ? `${status}: ${text}` : `The server answered ${status}.`;
}

async function call(method, path, body, opts) {
  const o = opts || {};
  const headers = {};
  const key = o.admin ? $("admin-key").value.trim() : $("api-key").value.trim();
  if (key) {
    if (o.perspective) headers["X-Goog-Api-Key"] = key; else headers.Authorization = "Bearer " + key;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiFailure(0, "The server cannot be reached: " + e.message);
  }
  if (o.raw && response.ok) return response;
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const role = o.admin ? "operator key (TOXICITY_ADMIN_KEYS)" : "API key";
    throw new ApiFailure(response.status, problem(response.status, data, response.headers.get("Retry-After"), role));
  }
  return data;
}

function profileName() { return state.profiles.length ? $("profile").value : ""; }

function thresholdOf(attribute) {
  const profile = state.profiles.find((p) => p.name === profileName());
  if (profile && profile.thresholds && attribute in profile.thresholds) return profile.thresholds[attribute];
  const found = state.model && state.model.attributes.find((a) => a.name === attribute);
  return found ? found.default_threshold : null;
}

async function score(texts, explain) {
  const body = { comments: texts.map((text) => ({ text })), explain };
  if (profileName()) body.profile = profileName();
  return call("POST", "v1/score", body);
}

// ---- model and settings ------------------------------------------------------------------
async function loadModel() {
  try {
    state.model = await call("GET", "v1/model");
  } catch (e) {
    $("model-line").textContent = "Model unavailable. " + e.message;
    if (e.status === 401 || e.status === 429) say(e.message, true);
    return;
  }
  const m = state.model;
  const scored = m.attributes.filter((a) => a.status !== "unsupported");
  $("model-line").textContent = `Model ${m.version}: ${scored.length} attributes; up to ${m.limits.max_batch} comments per batch.`;
  state.profiles = Array.isArray(m.profiles) ? m.profiles : [];
  const select = $("profile");
  select.replaceChildren(el("option", { value: "", textContent: "Model defaults" }));
  for (const p of state.profiles) {
    select.append(el("option", { value: p.name, textContent: p.description ? `${p.name}: ${p.description}` : p.name }));
  }
  $("profile-row").hidden = state.profiles.length === 0;
  const queueAttr = $("queue-attribute");
  queueAttr.replaceChildren(el("option", { value: "", textContent: "any" }));
  for (const a of scored) queueAttr.append(el("option", { value: a.name, textContent: a.name }));
}

// ---- one comment: bars, highlights, sentences --------------------------------------------
function renderBars(result) {
  const list = $("bars");
  list.replaceChildren();
  const names = Object.keys(result.scores).sort((a, b) => result.scores[b] - result.scores[a]);
  for (const name of names) {
    const value = result.scores[name];
    const flagged = result.flagged.includes(name);
    const fill = el("span", { className: "bar-fill" });
    fill.style.width = pct(value);
    const track = el("span", { className: "bar-track" }, fill);
    const threshold = thresholdOf(name);
    if (threshold !== null && threshold !== undefined) {
      const mark = el("span", { className: "bar-threshold", title: `threshold ${pct(threshold)}` });
      mark.style.left = pct(threshold);
      track.append(mark);
    }
    const row = el("li", { className: flagged ? "bar-row flagged" : "bar-row" },
      el("span", { className: "bar-name", textContent: name + (flagged ? " (flagged)" : "") }), track,
      el("span", { className: "bar-value", textContent: pct(value) }));
    row.dataset.attribute = name;
    row.dataset.score = String(value);
    row.setAttribute("aria-label", `${name}: ${pct(value)}` +
      (threshold != null ? `, threshold ${pct(threshold)}` : "") + (flagged ? ", flagged" : ""));
    list.append(row);
  }
  const flags = $("one-flags");
  flags.replaceChildren();
  if (result.flagged.length) {
    flags.append("Flagged: ");
    for (const f of result.flagged) flags.append(el("span", { className: "flag-chip", textContent: f }));
  } else {
    flags.textContent = "Not flagged for any attribute.";
  }
}

// Offsets from the API count Unicode code points (Python string indices); Array.from splits the same way.
function renderHighlights() {
  const { text, result } = state.single;
  const attribute = $("explain-attribute").value;
  const explanation = result.explanation && result.explanation[attribute];
  const chars = Array.from(text);
  const weight = new Array(chars.length).fill(0);
  const spans = explanation ? explanation.spans : [];
  for (const s of spans) for (let i = s.start; i < s.end && i < chars.length; i++) weight[i] += s.weight;
  const strongest = Math.max(1e-9, ...weight.map(Math.abs));
  const out = $("highlighted");
  out.replaceChildren();
  let i = 0;
  while (i < chars.length) {
    let j = i + 1;
    while (j < chars.length && weight[j] === weight[i]) j++;
    const piece = chars.slice(i, j).join("");
    if (weight[i] === 0) {
      out.append(piece);
    } else {
      const up = weight[i] > 0;
      const alpha = 0.15 + 0.65 * Math.abs(weight[i]) / strongest;
      const mark = el("mark", { className: up ? "hl up" : "hl down", textContent: piece,
        title: `${up ? "raises" : "lowers"} ${attribute} (weight ${weight[i].toFixed(3)})` });
      mark.dataset.weight = weight[i].toFixed(4);
      mark.style.backgroundColor = up ? `rgba(179, 38, 30, ${alpha})` : `rgba(46, 125, 50, ${alpha})`;
      out.append(mark);
    }
    i = j;
  }
  const list = $("sentences");
  list.replaceChildren();
  const sentences = explanation ? explanation.sentences || [] : [];
  sentences.forEach((s, index) => {
    const item = el("li", { textContent: `${pct(s.score)}: ${chars.slice(s.start, s.end).join("")}` });
    if (index === explanation.driver) { item.className = "driver"; item.append(" (drove the score)"); }
    list.append(item);
  });
}

async function scoreOne(event) {
  event.preventDefault();
  const text = $("one-text").value;
  if (!text.trim()) { say("Write a comment to score first.", true); return; }
  $("one-submit").disabled = true;
  try {
    const data = await score([text], true);
    state.single = { text, result: data.results[0] };
    renderBars(state.single.result);
    const select = $("explain-attribute");
    const names = Object.keys(state.single.result.scores);
    const keep = select.value;
    select.replaceChildren(...names.map((n) => el("option", { value: n, textContent: n })));
    select.value = names.includes(keep) ? keep : (state.single.result.flagged[0] || names[0]);
    renderHighlights();
    $("one-correct").replaceChildren(correctButton(text, state.single.result));
    $("one-result").hidden = false;
    say(`Scored with model ${data.model.version}.`);
  } catch (e) {
    say(e.message, true);
  } finally {
    $("one-submit").disabled = false;
  }
}

// ---- corrections ---------------------------------------------------------------------------
function correctButton(text, result) {
  const holder = el("div");
  const open = el("button", { type: "button", className: "wrong", textContent: "This is wrong" });
  open.addEventListener("click", () => {
    const form = $("correct-template").content.firstElementChild.cloneNode(true);
    const attr = form.elements.attribute;
    for (const name of Object.keys(result.scores)) attr.append(el("option", { value: name, textContent: name }));
    const suggest = () => { form.elements.label.value = result.flagged.includes(attr.value) ? "0" : "1"; };
    attr.value = result.flagged[0] || Object.keys(result.scores)[0];
    suggest();
    attr.addEventListener("change", suggest);
    form.elements.cancel.addEventListener("click", () => { form.replaceWith(open); open.focus(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      try {
        const where = await recordCorrection(text, attr.value, Number(form.elements.label.value));
        say(`Correction recorded (${attr.value} = ${form.elements.label.value}) ${where}.`);
        form.replaceWith(open);
        open.focus();
      } catch (e) {
        say(e.message, true);
        submit.disabled = false;
      }
    });
    open.replaceWith(form);
    attr.focus();
  });
  holder.append(open);
  return holder;
}

// The native route (POST /v1/suggestions) marks the source "console"; a server without it
// answers 404, and the correction goes to Perspective's suggestscore, into the same store.
async function recordCorrection(text, attribute, label) {
  try {
    const out = await call("POST", "v1/suggestions", { text, attribute, label, source: "console" });
    return `as suggestion ${out.id}`;
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  const body = { comment: { text }, attributeScores: { [attribute]: { summaryScore: { value: label } } },
    clientToken: "console" };
  await call("POST", "v1alpha1/comments:suggestscore", body, { perspective: true });
  return "through comments:suggestscore";
}

// ---- many comments ---------------------------------------------------------------------------
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

async function scoreMany(event) {
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

function attributesOf(rows) { return rows.length ? Object.keys(rows[0].scores) : []; }

function visibleRows() {
  let rows = state.rows.slice();
  if ($("only-flagged").checked) rows = rows.filter((r) => r.flagged.length);
  if (state.sort) {
    const { key, down } = state.sort;
    const value = (r) => (key === "#" ? r.n : r.scores[key]);
    rows.sort((a, b) => (down ? value(b) - value(a) : value(a) - value(b)));
  }
  return rows;
}

function renderTable() {
  const names = attributesOf(state.rows);
  const head = el("tr");
  for (const key of ["#", ...names]) {
    const sorted = state.sort && state.sort.key === key;
    const th = el("th", { scope: "col" });
    th.setAttribute("aria-sort", sorted ? (state.sort.down ? "descending" : "ascending") : "none");
    const button = el("button", { type: "button", textContent: key + (sorted ? (state.sort.down ? " \u25bc" : " \u25b2") : "") });
    button.dataset.sort = key;
    button.addEventListener("click", () => {
      state.sort = { key, down: sorted ? !state.sort.down : key !== "#" };
      renderTable();
      document.querySelector(`#many-table th button[data-sort="${key}"]`).focus();
    });
    th.append(button);
    head.append(th);
  }
  head.insertBefore(el("th", { scope: "col", textContent: "Comment" }), head.children[1] || null);
  head.append(el("th", { scope: "col", textContent: "Flagged" }), el("th", { scope: "col", textContent: "Correct" }));
  $("many-table").tHead.replaceChildren(head);
  const body = $("many-table").tBodies[0];
  body.replaceChildren();
  const rows = visibleRows();
  for (const r of rows) {
    const tr = el("tr", {}, el("td", { className: "num", textContent: String(r.n) }),
      el("td", { className: "text", textContent: r.text }));
    for (const name of names) {
      const cell = el("td", { className: r.flagged.includes(name) ? "num flagged" : "num", textContent: pct(r.scores[name]) });
      cell.dataset.attribute = name;
      tr.append(cell);
    }
    const wrong = el("button", { type: "button", textContent: "This is wrong" });
    wrong.setAttribute("aria-label", `This is wrong: comment ${r.n}`);
    wrong.addEventListener("click", () => {
      const panel = $("many-correct");
      panel.replaceChildren(el("p", { textContent: `Comment ${r.n}: ${r.text}` }), correctButton(r.text, r));
      panel.querySelector("button.wrong").click();
    });
    tr.append(el("td", { textContent: r.flagged.join(", ") }), el("td", {}, wrong));
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

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function exportCsv() {
  const names = attributesOf(state.rows);
  const lines = [["n", "id", "text", ...names, "flagged"].join(",")];
  for (const r of visibleRows()) {
    lines.push([r.n, r.id, r.text, ...names.map((n) => r.scores[n].toFixed(4)), r.flagged.join(" ")].map(csvCell).join(","));
  }
  download("scores.csv", "text/csv", lines.join("\r\n") + "\r\n");
}

// ---- review queue (operator key) -------------------------------------------------------------
function queueError(e) {
  if (e.status === 404) return "The review queue is not available on this server: the review API (/v1/admin/suggestions) answered 404.";
  return e.message;
}

async function loadQueue(append) {
  const params = new URLSearchParams({ limit: String(QUEUE_PAGE) });
  for (const [name, id] of [["status", "queue-status"], ["attribute", "queue-attribute"], ["source", "queue-source"]]) {
    if ($(id).value) params.set(name, $(id).value);
  }
  if (append && state.next !== null) params.set("before", String(state.next));
  try {
    const data = await call("GET", "v1/admin/suggestions?" + params, undefined, { admin: true });
    const body = $("queue-table").tBodies[0];
    if (!append) body.replaceChildren();
    for (const s of data.suggestions) body.append(queueRow(s));
    state.next = data.next === undefined ? null : data.next;
    $("queue-more").hidden = state.next === null;
    $("queue-result").hidden = false;
    say(`${body.rows.length} suggestions shown.`);
  } catch (e) {
    say(queueError(e), true);
  }
}

function queueRow(s) {
  const box = el("input", { type: "checkbox", value: String(s.id) });
  box.setAttribute("aria-label", `Select suggestion ${s.id}`);
  const decide = el("td");
  for (const status of ["accepted", "rejected"]) {
    const b = el("button", { type: "button", textContent: status === "accepted" ? "Accept" : "Reject" });
    b.setAttribute("aria-label", `${b.textContent} suggestion ${s.id}`);
    b.addEventListener("click", () => review([s.id], status));
    decide.append(b, " ");
  }
  const tr = el("tr", {}, el("td", {}, box), el("td", { textContent: String(s.id) }),
    el("td", { textContent: s.received_at }), el("td", { textContent: s.attribute }),
    el("td", { textContent: String(s.label) }), el("td", { textContent: s.source }),
    el("td", { className: "queue-status", textContent: s.status }), el("td", { className: "text", textContent: s.text }), decide);
  tr.dataset.id = String(s.id);
  return tr;
}

async function review(ids, status) {
  if (!ids.length) { say("Select at least one suggestion first.", true); return; }
  try {
    const out = await call("POST", "v1/admin/suggestions/review", { ids, status }, { admin: true });
    for (const id of ids) {
      const cell = document.querySelector(`#queue-table tr[data-id="${id}"] .queue-status`);
      if (cell) cell.textContent = status;
    }
    say(`${out.updated} suggestions marked ${status}.`);
  } catch (e) {
    say(queueError(e), true);
  }
}

function selectedIds() {
  return Array.from(document.querySelectorAll("#queue-table tbody input:checked")).map((b) => Number(b.value));
}

async function exportAccepted() {
  try {
    const response = await call("GET", "v1/admin/suggestions/export?status=accepted&format=csv", undefined,
      { admin: true, raw: true });
    download("accepted-suggestions.csv", "text/csv", await response.text());
  } catch (e) {
    say(queueError(e), true);
  }
}

// ---- wiring ------------------------------------------------------------------------------
function keepKey(input, storeName, onChange) {
  input.value = sessionStorage.getItem(storeName) || "";
  input.addEventListener("change", () => {
    const value = input.value.trim();
    if (value) sessionStorage.setItem(storeName, value); else sessionStorage.removeItem(storeName);
    if (onChange) onChange();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  keepKey($("api-key"), KEY_STORE, loadModel);
  keepKey($("admin-key"), ADMIN_STORE);
  $("api-key-forget").addEventListener("click", () => {
    $("api-key").value = ""; sessionStorage.removeItem(KEY_STORE); say("API key forgotten.");
  });
  $("profile").addEventListener("change", () => {
    if (state.single) $("one-form").requestSubmit();
    if (state.rows.length) $("many-form").requestSubmit();
  });
  $("one-form").addEventListener("submit", scoreOne);
  $("explain-attribute").addEventListener("change", renderHighlights);
  $("many-form").addEventListener("submit", scoreMany);
  $("only-flagged").addEventListener("change", renderTable);
  $("export-csv").addEventListener("click", exportCsv);
  $("queue-form").addEventListener("submit", (e) => { e.preventDefault(); state.next = null; loadQueue(false); });
  $("queue-more").addEventListener("click", () => loadQueue(true));
  $("queue-all").addEventListener("change", (e) => {
    for (const b of document.querySelectorAll("#queue-table tbody input[type=checkbox]")) b.checked = e.target.checked;
  });
  $("queue-accept").addEventListener("click", () => review(selectedIds(), "accepted"));
  $("queue-reject").addEventListener("click", () => review(selectedIds(), "rejected"));
  $("queue-export").addEventListener("click", exportAccepted);
  loadModel();
});
