// Try one comment: the bars with their thresholds, the highlighted text, the sentences; and "this is wrong".
import { $, call, el, isRootLanguage, languageLine, pct, say, score, state, thresholdOf } from "./api.js";

function renderBars(result) {
  $("one-language").textContent = languageLine(result);
  const list = $("bars");
  list.replaceChildren();
  const names = Object.keys(result.scores).sort((a, b) => result.scores[b] - result.scores[a]);
  for (const name of names) {
    const value = result.scores[name];
    const flagged = result.flagged.includes(name);
    const fill = el("span", { className: "bar-fill" });
    fill.style.width = pct(value);
    const track = el("span", { className: "bar-track" }, fill);
    // GET /v1/model gives the English model's thresholds; another language flags at its own.
    const threshold = isRootLanguage(result) ? thresholdOf(name) : null;
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
export function renderHighlights() {
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

export async function scoreOne(event) {
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
export function correctButton(text, result) {
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
        const language = result.language ? result.language.code : undefined;
        const where = await recordCorrection(text, attr.value, Number(form.elements.label.value), language);
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

// The native feedback route stores the correction in the suggestion store with source "console", with the
// language the comment was scored in (a correction in another language never trains the English model).
async function recordCorrection(text, attribute, label, language) {
  const out = await call("POST", "v1/suggestions", { text, attribute, label, source: "console", language });
  return `as suggestion ${out.id}`;
}

