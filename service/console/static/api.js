// The console's shared pieces: page state, DOM helpers, the API client and the loaded model.
// Comment text goes only into request bodies and the page's DOM (as text, never as HTML), never into a URL.

export const KEY_STORE = "toxicity-console-api-key";
export const ADMIN_STORE = "toxicity-console-admin-key";
export const $ = (id) => document.getElementById(id);
export const state = { model: null, profiles: [], single: null, rows: [], sort: null, next: null };

export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) node.append(child);
  return node;
}

export function say(message, isError) {
  const box = $("status");
  box.textContent = message;
  box.className = isError ? "status error" : "status";
  box.hidden = false;
}

export function pct(score) { return (100 * score).toFixed(1) + "%"; }

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

export async function call(method, path, body, opts) {
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

export function profileName() { return state.profiles.length ? $("profile").value : ""; }

export function thresholdOf(attribute) {
  const profile = state.profiles.find((p) => p.name === profileName());
  if (profile && profile.thresholds && attribute in profile.thresholds) return profile.thresholds[attribute];
  const found = state.model && state.model.attributes.find((a) => a.name === attribute);
  return found ? found.default_threshold : null;
}

// The language a comment was scored in, and what it was not scored for (/v1/score's `language` and `errors`).
export function languageLine(result) {
  const lang = result.language;
  let line = lang ? `Scored in ${lang.name} (${lang.code}, ${lang.source === "detected"
    ? `detected, ${pct(lang.confidence)} sure` : lang.source === "request" ? "as sent" : "fallback language"})` : "";
  if (lang && lang.experimental.length) line += `; experimental there: ${lang.experimental.join(", ")}`;
  const errors = result.errors || [];
  const missing = errors.filter((e) => e.attribute).map((e) => e.attribute);
  if (missing.length) line += `; not scored in this language: ${missing.join(", ")}`;
  const whole = errors.find((e) => !e.attribute);
  if (whole) line = (line ? line + ". " : "") + whole.message;
  return line;
}

export function isRootLanguage(result) {
  const root = state.model && Array.isArray(state.model.languages) && state.model.languages[0];
  return !result.language || !root || result.language.code === root.code;
}

export async function score(texts, explain) {
  const body = { comments: texts.map((text) => ({ text })), explain };
  if (profileName()) body.profile = profileName();
  return call("POST", "v1/score", body);
}

// ---- model and settings ------------------------------------------------------------------
export async function loadModel() {
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

export function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

