// Shared by the fleet and machine pages: the period, the server's answers, alarms.

/** The project's API root, e.g. "/gordo/v0/example-plant/". */
export const api = document.body.dataset.api;

/** A Date as the server's ISO 8601 form in UTC, e.g. "2020-03-20T00:00:00+00:00". */
export function isoUTC(date) {
  return date.toISOString().slice(0, 19) + "+00:00";
}

/** A Date as a datetime-local input's value, read as UTC. */
export function inputValue(date) {
  return date.toISOString().slice(0, 16);
}

/** The UTC Date of a datetime-local input's value (or null). */
export function fromInput(value) {
  return value ? new Date(value + ":00Z") : null;
}

/** The Date of query parameter `name` (ISO 8601), or null. */
export function queryDate(name) {
  const raw = new URLSearchParams(location.search).get(name);
  const date = raw ? new Date(raw) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** GET `url` as JSON; a server error's message (its JSON "error") is thrown. */
export async function getJSON(url) {
  const reply = await fetch(url);
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) {
    const error = new Error(body.error || `${reply.status} ${reply.statusText}`);
    error.status = reply.status;
    throw error;
  }
  return body;
}

/** The URL of a model's anomaly scores (or, with `route` "prediction", output) for [start, end). */
export function scoresURL(model, start, end, route = "anomaly/prediction") {
  const query = new URLSearchParams({ start: isoUTC(start), end: isoUTC(end) });
  return `${api}${encodeURIComponent(model)}/${route}?${query}`;
}

/**
 * The answer's `data` ({group: {column: {time: value}}}) read by column.
 * `times` are Dates; `column(group, name)` is an array (the group's first column
 * without a name), or null when the answer has no such column.
 */
export function readFrame(data) {
  const groups = Object.keys(data);
  const firstGroup = data[groups[0]] || {};
  const keys = Object.keys(firstGroup[Object.keys(firstGroup)[0]] || {});
  const names = (group) => Object.keys(data[group] || {});
  const column = (group, name) => {
    const columns = data[group];
    if (!columns) return null;
    const values = columns[name ?? Object.keys(columns)[0]];
    return values ? Object.values(values) : null;
  };
  return { times: keys.map((key) => new Date(key.replace(" ", "T"))), names, column };
}

/** The model's total-anomaly threshold from its metadata, or null. */
export function threshold(metadata) {
  const model = metadata?.metadata?.build_metadata?.model?.model_meta || {};
  const value = model["aggregate-threshold"] ?? model["smooth-aggregate-threshold"];
  return typeof value === "number" ? value : null;
}

/**
 * The anomaly level over time: the total anomaly over its threshold (above 1 is
 * above the threshold): total-anomaly-confidence, else total-anomaly-scaled / threshold.
 */
export function levels(frame, limit) {
  const confidence = frame.column("total-anomaly-confidence");
  if (confidence) return confidence;
  const scaled = frame.column("total-anomaly-scaled");
  return scaled && limit ? scaled.map((v) => (v == null ? null : v / limit)) : null;
}

/** Whether each row is in an alarm: the `anomaly-event` column if any, else level > 1. */
export function alarmFlags(frame, level) {
  const events = frame.column("anomaly-event");
  if (events) return events.map((v) => v === true || v === 1);
  return (level || []).map((v) => v != null && v > 1);
}

/** The [start, end) periods where `flags` is true, one row at `step` ms long. */
export function alarmPeriods(times, flags, step) {
  const periods = [];
  let begin = null;
  flags.forEach((on, i) => {
    if (on && begin === null) begin = times[i];
    if (!on && begin !== null) {
      periods.push([begin, times[i]]);
      begin = null;
    }
  });
  if (begin !== null) periods.push([begin, new Date(times[times.length - 1].getTime() + step)]);
  return periods;
}

/** A short UTC time, e.g. "2020-03-20 14:10". */
export function shortTime(date) {
  return date ? date.toISOString().slice(0, 16).replace("T", " ") : "—";
}
