// The moderators' console: plain JavaScript modules over the service's own API, no library, no build step.
import { $, ADMIN_STORE, KEY_STORE, loadModel, say, state } from "./api.js";
import { exportCsv, renderTable, scoreMany } from "./batch.js";
import { exportAccepted, loadQueue, review, selectedIds } from "./queue.js";
import { renderHighlights, scoreOne } from "./single.js";

function keepKey(input, storeName, onChange) {
  input.value = sessionStorage.getItem(storeName) || "";
  input.addEventListener("change", () => {
    const value = input.value.trim();
    if (value) sessionStorage.setItem(storeName, value); else sessionStorage.removeItem(storeName);
    if (onChange) onChange();
  });
}

// A module runs once the document is parsed.
{
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
}
