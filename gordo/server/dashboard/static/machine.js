// The machine page: total anomaly against its threshold with the alarms shaded,
// per-tag anomaly as a heat map, and each tag's model input and output, on one
// shared, zoomable time axis; the model card from the metadata.
import {
  alarmFlags, alarmPeriods, api, fromInput, getJSON, inputValue, levels, queryDate, readFrame,
  scoresURL, threshold,
} from "./common.js";

const model = document.querySelector("script[data-model]").dataset.model;
const startInput = document.getElementById("start");
const endInput = document.getElementById("end");
const status = document.getElementById("status");
const charts = document.getElementById("charts");
const ALARM_FILL = "rgba(211, 47, 47, 0.18)";
const TOTAL_PX = 220;
const TAG_PX = 120;
// tags drawn at first (the most anomalous); the others are a click away
const SHOWN_TAGS = 4;

const end = queryDate("end") || new Date();
const start = queryDate("start") || new Date(end.getTime() - 7 * 86400e3);
startInput.value = inputValue(start);
endInput.value = inputValue(end);

const plotTime = (date) => date.toISOString().slice(0, 19).replace("T", " ");

/** `names`, most anomalous first: by their highest tag-anomaly-scaled over the period. */
function ranked(frame, names) {
  const peak = (tag) => Math.max(...(frame.column("tag-anomaly-scaled", tag) || []).filter(Number.isFinite));
  return names.map((tag) => [peak(tag), tag]).sort((a, b) => (b[0] - a[0]) || 0).map(([, tag]) => tag);
}

/**
 * The chart figure of `tags`: rows of subplots (px heights) stacked on one time axis;
 * the heat map lists the per-tag anomaly, the most anomalous on top.
 */
function figure(frame, metadata, tags) {
  const x = frame.times.map(plotTime);
  const limit = threshold(metadata);
  const scaled = frame.column("total-anomaly-scaled");
  const level = levels(frame, limit);
  const [total, line, totalName] = scaled && limit
    ? [scaled, limit, "total anomaly (scaled)"]
    : [level || scaled || [], level ? 1 : null, level ? "total anomaly / threshold" : scaled ? "total anomaly" : "no anomaly scores"];
  const tagAnomaly = ranked(frame, frame.names("tag-anomaly-scaled")).reverse();
  const heatPx = tagAnomaly.length ? Math.max(120, 18 * tagAnomaly.length) : 0;
  const heights = [TOTAL_PX, ...(heatPx ? [heatPx] : []), ...tags.map(() => TAG_PX)];
  const gap = (i) => (i === 0 ? 30 : 12); // the top chart's time labels sit in its gap
  const height = heights.reduce((sum, px, i) => sum + px + gap(i), 40);
  const traces = [{ x, y: total, name: totalName, type: "scatter", mode: "lines", line: { color: "#245a94", width: 1.3 }, xaxis: "x", yaxis: "y" }];
  const layout = {
    height, margin: { l: 150, r: 20, t: 20, b: 30 }, showlegend: false, hovermode: "x",
    shapes: [], annotations: [],
  };
  let top = 1;
  heights.forEach((px, i) => {
    const n = i ? String(i + 1) : "";
    const bottom = top - px / height;
    // time labels on the top and bottom charts only: each axis' labels cost drawing time
    const labelled = i === 0 || i === heights.length - 1;
    layout[`xaxis${n}`] = { type: "date", anchor: `y${n}`, ...(i ? { matches: "x" } : {}), showticklabels: labelled };
    layout[`yaxis${n}`] = { domain: [Math.max(bottom, 0), top], anchor: `x${n}`, automargin: false };
    top = bottom - gap(i) / height;
  });
  layout.yaxis.title = { text: totalName, font: { size: 11 } };
  if (line !== null) {
    layout.shapes.push({ name: "threshold", type: "line", xref: "x domain", x0: 0, x1: 1, yref: "y", y0: line, y1: line, line: { color: "#b3261e", dash: "dash", width: 1.5 } });
    layout.annotations.push({ xref: "x domain", x: 1, yref: "y", y: line, text: "threshold", showarrow: false, yanchor: "bottom", xanchor: "right", font: { color: "#b3261e", size: 11 } });
  }
  const step = frame.times.length > 1 ? frame.times[1] - frame.times[0] : 600e3;
  const periods = alarmPeriods(frame.times, alarmFlags(frame, level), step);
  if (periods.length) {
    // one path of every alarm period: far cheaper to draw than a shape per period
    const at = (date) => plotTime(date).replace(" ", "_");
    const path = periods.map(([from, to]) => `M${at(from)},0H${at(to)}V1H${at(from)}Z`).join("");
    layout.shapes.push({ name: "alarms", type: "path", path, xref: "x", yref: "paper", fillcolor: ALARM_FILL, line: { width: 0 }, layer: "below" });
  }
  let axis = 2;
  if (heatPx) {
    traces.push({
      type: "heatmap", x, y: tagAnomaly, z: tagAnomaly.map((tag) => frame.column("tag-anomaly-scaled", tag)),
      colorscale: "YlOrRd", reversescale: true, showscale: false, xaxis: "x2", yaxis: "y2", name: "tag anomaly",
    });
    layout.yaxis2.title = { text: "tag anomaly", font: { size: 11 } };
    axis = 3;
  }
  tags.forEach((tag, i) => {
    const n = String(axis + i);
    traces.push({ x, y: frame.column("model-input", tag), name: `${tag} input`, type: "scatter", mode: "lines", line: { color: "#4d4d4d", width: 1 }, xaxis: `x${n}`, yaxis: `y${n}` });
    const output = frame.column("model-output", tag);
    if (output) traces.push({ x, y: output, name: `${tag} output`, type: "scatter", mode: "lines", line: { color: "#e07b00", width: 1 }, xaxis: `x${n}`, yaxis: `y${n}` });
    layout[`yaxis${n}`].title = { text: tag, font: { size: 11 } };
  });
  return { traces, layout, alarms: periods.length };
}

function field(name, value) {
  const dl = document.getElementById("card-fields");
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = name;
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value ?? "—";
  dl.append(dt, dd);
}

function pre(value) {
  const block = document.createElement("pre");
  block.textContent = JSON.stringify(value, null, 2);
  return block;
}

/** A table of `rows` ([label, {column: value}]) over `columns`; numbers to 4 significant digits. */
function table(rows, columns) {
  const element = document.createElement("table");
  const head = element.createTHead().insertRow();
  ["", ...columns].forEach((name) => (head.insertCell().textContent = name));
  rows.forEach(([label, values]) => {
    const row = element.insertRow();
    row.insertCell().textContent = label;
    columns.forEach((column) => {
      const value = values?.[column];
      row.insertCell().textContent = typeof value === "number" ? value.toPrecision(4) : value ?? "";
    });
  });
  return element;
}

/** Cross-validation scores per fold of the whole model (not of each tag). */
function scoresTable(scores, tags) {
  const metrics = Object.keys(scores).filter((name) => !tags.some((tag) => name.endsWith(`-${tag}`)));
  const folds = Object.keys(scores[metrics[0]] || {});
  return table(metrics.map((name) => [name, scores[name]]), folds);
}

/** The total and per-tag thresholds, final and per fold. */
function thresholdsTable(meta, tags) {
  const perFold = meta["aggregate-thresholds-per-fold"] || {};
  const tagFolds = meta["feature-thresholds-per-fold"] || {};
  const folds = Object.keys(perFold);
  const row = (label, final, of) => [label, { final, ...Object.fromEntries(folds.map((f) => [f, of(f)])) }];
  return table([
    row("total", meta["aggregate-threshold"], (f) => perFold[f]),
    ...tags.map((tag) => row(tag, meta["feature-thresholds"]?.[tag], (f) => tagFolds[f]?.[tag])),
  ], ["final", ...folds]);
}

function modelCard(metadata) {
  const dataset = metadata.dataset || {};
  const built = metadata.metadata?.build_metadata?.model || {};
  const user = metadata.metadata?.user_defined || {};
  const tagName = (tag) => (typeof tag === "string" ? tag : tag?.name ?? String(tag));
  const tags = (dataset.tag_list || []).map(tagName);
  document.getElementById("card-fields").replaceChildren();
  field("Description", user.description ?? user["machine-metadata"]?.description);
  field("Tags", tags.join(", "));
  if (dataset.target_tag_list?.length) field("Targets", dataset.target_tag_list.map(tagName).join(", "));
  field("Training period", `${dataset.train_start_date} to ${dataset.train_end_date} (resolution ${dataset.resolution})`);
  const scores = built.cross_validation?.scores;
  field("Cross-validation scores per fold", scores && Object.keys(scores).length ? scoresTable(scores, tags) : "none (no cross-validation)");
  const meta = built.model_meta || {};
  field("Thresholds", "aggregate-threshold" in meta ? thresholdsTable(meta, tags) : "none");
  const seconds = built.model_training_duration_sec;
  const cv = built.cross_validation?.cv_duration_sec;
  field("Build duration", typeof seconds === "number"
    ? `${seconds.toFixed(2)} s training${typeof cv === "number" ? `, ${cv.toFixed(2)} s cross-validation` : ""}` : null);
  field("Built", built.model_creation_date ? `${built.model_creation_date} by gordo ${built.model_builder_version}` : null);
  field("Definition", pre(metadata.model));
}

/** Load plotly.js (served by this server) once; resolves when `Plotly` is defined. */
const plotly = new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = document.querySelector("script[data-plotly]").dataset.plotly;
  script.onload = () => {
    performance.mark("gordo:plotly");
    resolve(window.Plotly);
  };
  script.onerror = () => reject(new Error(`cannot load the chart library ${script.src}`));
  document.head.append(script);
});

/** The tag checkboxes, in `order`, `shown` ones checked; a change redraws. */
function tagChooser(order, shown, redraw) {
  const box = document.getElementById("tags");
  box.replaceChildren(...order.map((tag) => {
    const label = document.createElement("label");
    const check = document.createElement("input");
    check.type = "checkbox";
    check.value = tag;
    check.checked = shown.includes(tag);
    label.append(check, ` ${tag}`);
    return label;
  }));
  box.onchange = () => redraw([...box.querySelectorAll("input:checked")].map((c) => c.value));
}

/** The model's metadata, fetched once; the model card is filled as soon as it arrives. */
const metadata = getJSON(`${api}${encodeURIComponent(model)}/metadata`).then((body) => {
  modelCard(body.metadata);
  return body.metadata;
});

async function show(from, to) {
  status.textContent = `Scoring ${model} from ${from.toISOString()} to ${to.toISOString()}…`;
  delete document.body.dataset.drawn;
  try {
    // a model without an anomaly method (422) still shows its input and output
    const scores = getJSON(scoresURL(model, from, to)).catch((error) => {
      if (error.status !== 422) throw error;
      return getJSON(scoresURL(model, from, to, "prediction"));
    });
    const [meta, answer, Plotly] = await Promise.all([metadata, scores, plotly]);
    performance.mark("gordo:data");
    const frame = readFrame(answer.data);
    const order = ranked(frame, frame.names("model-input"));
    const draw = async (tags) => {
      const { traces, layout, alarms } = figure(frame, meta, tags);
      performance.mark("gordo:figure");
      await Plotly.react(charts, traces, layout, { displaylogo: false, responsive: true });
      status.textContent = `${frame.times.length} rows, ${alarms} alarm period(s); scored in ${answer["time-seconds"]} s. Drag to zoom, double-click to reset.`;
      document.body.dataset.alarms = String(alarms);
      document.body.dataset.drawn = String(performance.mark("gordo:drawn").startTime);
    };
    const shown = order.slice(0, SHOWN_TAGS);
    tagChooser(order, shown, (tags) => draw(order.filter((tag) => tags.includes(tag))));
    await draw(shown);
  } catch (error) {
    status.textContent = `Cannot show ${model}: ${error.message}`;
    document.body.dataset.drawn = "error";
  }
}

document.getElementById("period").addEventListener("submit", (event) => {
  event.preventDefault();
  const [from, to] = [fromInput(startInput.value), fromInput(endInput.value)];
  if (!from || !to) {
    status.textContent = "Give both ends of the period.";
    return;
  }
  history.replaceState(null, "", `?${new URLSearchParams({ start: from.toISOString(), end: to.toISOString() })}`);
  show(from, to);
});
show(start, end);
