// The review queue: stored suggestions listed, accepted or rejected and exported, with an operator key.
import { $, call, download, el, say, state } from "./api.js";

const QUEUE_PAGE = 50;

function queueError(e) {
  if (e.status === 404) return "The review queue is not available on this server: the review API (/v1/admin/suggestions) answered 404.";
  return e.message;
}

export async function loadQueue(append) {
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
  const decide = el("td", { className: "decide" });
  for (const status of ["accepted", "rejected"]) {
    const b = el("button", { type: "button", textContent: status === "accepted" ? "Accept" : "Reject" });
    b.setAttribute("aria-label", `${b.textContent} suggestion ${s.id}`);
    b.addEventListener("click", () => review([s.id], status));
    decide.append(b, " ");
  }
  const cell = (label, textContent, className) => {
    const td = el("td", { textContent, className: className || "" });
    td.dataset.label = label;
    return td;
  };
  const tr = el("tr", {}, el("td", {}, box), cell("Id", String(s.id)), cell("Received", s.received_at),
    cell("Attribute", s.attribute), cell("Label", String(s.label)), cell("Source", s.source, "source"),
    cell("Status", s.status, "queue-status"), el("td", { className: "text", textContent: s.text }), decide);
  tr.dataset.id = String(s.id);
  return tr;
}

export async function review(ids, status) {
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

export function selectedIds() {
  return Array.from(document.querySelectorAll("#queue-table tbody input:checked")).map((b) => Number(b.value));
}

export async function exportAccepted() {
  try {
    const response = await call("GET", "v1/admin/suggestions/export?status=accepted&format=csv", undefined,
      { admin: true, raw: true });
    download("accepted-suggestions.csv", "text/csv", await response.text());
  } catch (e) {
    say(queueError(e), true);
  }
}
