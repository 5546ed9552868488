// The fleet page: a page of models at a time, each scored lazily over a recent
// period, rows sorted by anomaly level among the machines scored so far.
import {
  alarmFlags, api, fromInput, getJSON, inputValue, levels, queryDate, readFrame, scoresURL,
  shortTime,
} from "./common.js";

const pageSize = Number(document.querySelector("script[data-page-size]").dataset.pageSize);
const rows = new Map(); // model -> {tr, level}
const body = document.querySelector("#fleet tbody");
const more = document.getElementById("more");
const spanInput = document.getElementById("span");
const endInput = document.getElementById("end");
const SCORING_AT_ONCE = 4;
let total = 0;
let generation = 0; // the period's: answers for an earlier period are dropped

const params = new URLSearchParams(location.search);
if (params.get("span")) spanInput.value = params.get("span");
endInput.value = inputValue(queryDate("end") || new Date());

function period() {
  const end = fromInput(endInput.value) || new Date();
  return [new Date(end.getTime() - Number(spanInput.value) * 3600e3), end];
}

function cell(tr, name) {
  return tr.querySelector(`td.${name}`);
}

function badge(td, healthy, text) {
  td.innerHTML = "";
  const span = document.createElement("span");
  span.className = `badge ${healthy === null ? "wait" : healthy ? "ok" : "bad"}`;
  span.textContent = text;
  td.append(span);
}

function sparkline(values, limit) {
  const finite = values.filter((v) => v != null && Number.isFinite(v));
  if (!finite.length) return document.createTextNode("no data");
  const top = Math.max(...finite, limit || 0) || 1;
  const step = 160 / Math.max(values.length - 1, 1);
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("viewBox", "0 0 160 28");
  svg.setAttribute("preserveAspectRatio", "none");
  const line = document.createElementNS(svgNS, "polyline");
  const y = (v) => (27 - (26 * v) / top).toFixed(1);
  line.setAttribute("points", values.map((v, i) => v == null ? "" : `${(i * step).toFixed(1)},${y(v)}`).join(" "));
  svg.append(line);
  if (limit) {
    const mark = document.createElementNS(svgNS, "line");
    Object.entries({ x1: 0, x2: 160, y1: y(limit), y2: y(limit) }).forEach(([k, v]) => mark.setAttribute(k, v));
    svg.append(mark);
  }
  return svg;
}

function machineLink(name) {
  const [start, end] = period();
  const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString() });
  return `${api}dashboard/${encodeURIComponent(name)}?${query}`;
}

function addRow(model) {
  const tr = document.createElement("tr");
  tr.dataset.model = model.name;
  tr.innerHTML = '<td class="name"><a></a><div class="hint"></div></td><td class="health"></td>' +
    '<td class="level">…</td><td class="alarm">…</td><td class="spark"></td>';
  const link = cell(tr, "name").querySelector("a");
  link.textContent = model.name;
  link.href = machineLink(model.name);
  cell(tr, "name").querySelector("div").textContent = model.description;
  badge(cell(tr, "health"), model.healthy ? null : false, model.healthy ? "checking" : "broken");
  if (!model.healthy) {
    cell(tr, "health").title = model.error;
    cell(tr, "level").textContent = "—";
    cell(tr, "alarm").textContent = "—";
  }
  body.append(tr);
  rows.set(model.name, { tr, level: null, model });
}

/** Rows with a level first, highest first; then the others in the server's order. */
function sortRows() {
  const ordered = [...rows.values()].sort((a, b) => {
    if (a.level === null || b.level === null) return (a.level === null) - (b.level === null);
    return b.level - a.level;
  });
  ordered.forEach((row) => body.append(row.tr));
}

/** Whether the model's artifact loads: its healthcheck loads it (503 if it cannot). */
async function loads(name) {
  try {
    await getJSON(`${api}${encodeURIComponent(name)}/healthcheck`);
    return true;
  } catch (error) {
    return false;
  }
}

async function score(row, start, end, period) {
  const { tr, model } = row;
  try {
    const answer = await getJSON(scoresURL(model.name, start, end));
    if (period !== generation) return;
    const frame = readFrame(answer.data);
    // a model with thresholds answers its total-anomaly-confidence (the level)
    const level = levels(frame, null);
    badge(cell(tr, "health"), true, "loads");
    if (!level) {
      cell(tr, "level").textContent = "no threshold";
      cell(tr, "alarm").textContent = "—";
      return;
    }
    const flags = alarmFlags(frame, level);
    const last = flags.lastIndexOf(true);
    const latest = [...level].reverse().find((v) => v != null);
    row.level = latest ?? null;
    cell(tr, "level").textContent = latest == null ? "—" : latest.toFixed(2);
    cell(tr, "alarm").textContent = last >= 0 ? shortTime(frame.times[last]) : "none in period";
    tr.classList.toggle("alarm", latest > 1);
    cell(tr, "spark").replaceChildren(sparkline(level, 1));
  } catch (error) {
    if (period !== generation) return;
    // a 503 is a broken model or a data source that cannot be reached: the healthcheck
    // tells which; a 500 is a model that failed to score; other 4xx come after it loaded
    const broken = !error.status || error.status === 500 ||
      (error.status === 503 && !(await loads(model.name)));
    badge(cell(tr, "health"), broken ? false : true, broken ? "broken" : "loads");
    cell(tr, "level").textContent = "—";
    cell(tr, "alarm").textContent = "—";
    cell(tr, "spark").textContent = error.message;
  } finally {
    sortRows();
  }
}

async function scoreAll(list) {
  const [start, end] = period();
  const current = generation;
  const queue = list.filter((row) => row.model.healthy);
  const worker = async () => {
    while (queue.length && current === generation) await score(queue.shift(), start, end, current);
  };
  await Promise.all(Array.from({ length: SCORING_AT_ONCE }, worker));
  document.body.dataset.scored = String(rows.size);
}

async function loadPage() {
  more.hidden = true;
  const page = await getJSON(`${api}dashboard/models.json?offset=${rows.size}&limit=${pageSize}`);
  total = page.total;
  const added = page.models.map((model) => (addRow(model), rows.get(model.name)));
  document.getElementById("shown").textContent = `${rows.size} of ${total} machines shown.`;
  more.hidden = rows.size >= total;
  await scoreAll(added);
}

more.addEventListener("click", loadPage);
document.getElementById("period").addEventListener("submit", (event) => {
  event.preventDefault();
  generation += 1;
  const query = new URLSearchParams({ span: spanInput.value, end: period()[1].toISOString() });
  history.replaceState(null, "", `?${query}`);
  for (const row of rows.values()) {
    row.level = null;
    cell(row.tr, "name").querySelector("a").href = machineLink(row.model.name);
  }
  scoreAll([...rows.values()]);
});
loadPage().catch((error) => {
  document.getElementById("shown").textContent = `Cannot list the models: ${error.message}`;
});
