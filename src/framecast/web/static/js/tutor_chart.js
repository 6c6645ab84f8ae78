// A small line chart drawn in SVG by the project (no chart library): scores 0..100 over time, one
// line per series, each with its own colour, dash and marker shape so that colour is never the only
// difference. The chart carries <title>/<desc> for screen readers and a <title> on every point.

const SVG = "http://www.w3.org/2000/svg";
const MARKERS = ["circle", "square", "triangle", "diamond"];
const Y_TICKS = [0, 25, 50, 75, 100];
let charts = 0;

/** An SVG element: s("line", {x1: 0, class: "axis"}, child, "text"). */
export function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A marker of ``shape`` centred on (x, y), radius ``r``. */
function marker(shape, x, y, r, attrs = {}) {
  if (shape === "square") {
    return s("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...attrs });
  }
  if (shape === "triangle") {
    const points = `${x},${y - r * 1.2} ${x + r * 1.1},${y + r * 0.8} ${x - r * 1.1},${y + r * 0.8}`;
    return s("polygon", { points, ...attrs });
  }
  if (shape === "diamond") {
    const points = `${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}`;
    return s("polygon", { points, ...attrs });
  }
  return s("circle", { cx: x, cy: y, r, ...attrs });
}

function toTime(value) {
  const time = value instanceof Date ? value.getTime() : new Date(value).getTime();
  return Number.isFinite(time) ? time : null;
}

function dateLabel(time, withTime) {
  const options = withTime
    ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
    : { month: "short", day: "numeric" };
  return new Date(time).toLocaleString(undefined, options);
}

/**
 * A line chart of 0..100 values over time.
 *
 *   lineChart({
 *     title: "Scores over time", description: "…",
 *     series: [{key: "grammar", label: "Grammar", points: [{at: "2024-05-01T10:00:00Z", value: 80}], line: true}],
 *   })
 *
 * Points whose value is null are left out. ``line: false`` draws the points only. Returns the <svg>.
 */
export function lineChart({ title, description, series, width = 720, height = 300 }) {
  charts += 1;
  const id = `chart-${charts}`;
  // The legend's items flow in rows across the top (a narrow chart gets more rows).
  const legendLeft = 44;
  let row = 0;
  let left = legendLeft;
  const places = series.map((item) => {
    const itemWidth = 48 + 7.5 * String(item.label).length;
    if (left > legendLeft && left + itemWidth > width - 12) {
      row += 1;
      left = legendLeft;
    }
    const place = { left, top: 16 + row * 22 };
    left += itemWidth + 16;
    return place;
  });
  const margin = { top: 44 + row * 22, right: 24, bottom: 40, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const drawn = series.map((item, index) => ({
    ...item,
    shape: item.marker ?? MARKERS[index % MARKERS.length],
    points: (item.points ?? [])
      .map((point) => ({ ...point, time: toTime(point.at) }))
      .filter((point) => point.time !== null && typeof point.value === "number" && Number.isFinite(point.value))
      .sort((a, b) => a.time - b.time),
  }));
  const times = drawn.flatMap((item) => item.points.map((point) => point.time));
  const first = times.length ? Math.min(...times) : 0;
  const last = times.length ? Math.max(...times) : 0;
  const span = last - first;
  const x = (time) => margin.left + (span > 0 ? ((time - first) / span) * plotW : plotW / 2);
  const y = (value) => margin.top + plotH - (Math.max(0, Math.min(100, value)) / 100) * plotH;
  const withTime = span > 0 && span < 2 * 24 * 3600 * 1000;

  const svg = s("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
    "data-testid": "progress-chart",
  });
  svg.append(s("title", { id: `${id}-title` }, title), s("desc", { id: `${id}-desc` }, description));

  // Axes: horizontal grid lines at 0, 25, 50, 75 and 100, dates along the bottom.
  const grid = s("g", { class: "chart-grid", "aria-hidden": "true" });
  for (const tick of Y_TICKS) {
    grid.append(
      s("line", { x1: margin.left, x2: margin.left + plotW, y1: y(tick), y2: y(tick), class: tick === 0 ? "axis" : "" }),
      s("text", { x: margin.left - 8, y: y(tick), class: "chart-label", "text-anchor": "end", "dominant-baseline": "middle" }, tick),
    );
  }
  grid.append(s("line", { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH, class: "axis" }));
  // Up to five dates, as many as fit; a label equal to another (points minutes apart) is shown once.
  const fit = Math.max(2, Math.min(5, Math.floor(plotW / (withTime ? 130 : 75)) + 1));
  const candidates = span > 0 ? Array.from({ length: fit }, (_, i) => first + (i / (fit - 1)) * span) : times.length ? [first] : [];
  const dateTicks = [];
  for (const time of candidates) {
    const label = dateLabel(time, withTime);
    if (dateTicks.some((tick) => tick.label === label)) continue;
    dateTicks.push({ time, label });
  }
  for (const [index, { time, label }] of dateTicks.entries()) {
    const edge = x(time) === margin.left ? "start" : x(time) === margin.left + plotW ? "end" : "middle";
    grid.append(
      s("line", { x1: x(time), x2: x(time), y1: margin.top + plotH, y2: margin.top + plotH + 5, class: "axis" }),
      s("text", { x: x(time), y: margin.top + plotH + 20, class: "chart-label", "text-anchor": index === 0 && dateTicks.length === 1 ? "middle" : edge }, label),
    );
  }
  svg.append(grid);

  // Legend along the top.
  const legend = s("g", { class: "chart-legend", "aria-hidden": "true" });
  drawn.forEach((item, index) => {
    const { left, top } = places[index];
    const group = s("g", { class: `series series-${item.key}` });
    if (item.line !== false) {
      group.append(s("line", { x1: left, x2: left + 26, y1: top, y2: top, class: "chart-line" }));
    }
    group.append(
      marker(item.shape, left + 13, top, 4.5, { class: "chart-marker" }),
      s("text", { x: left + 34, y: top, class: "chart-legend-text", "dominant-baseline": "middle" }, item.label),
    );
    legend.append(group);
  });
  svg.append(legend);

  // The series.
  for (const item of drawn) {
    const group = s("g", { class: `series series-${item.key}`, "data-series": item.key });
    if (item.line !== false && item.points.length > 1) {
      const path = item.points.map((point, index) => `${index ? "L" : "M"}${x(point.time).toFixed(1)},${y(point.value).toFixed(1)}`).join(" ");
      group.append(s("path", { d: path, class: "chart-line", fill: "none" }));
    }
    for (const point of item.points) {
      const label = `${item.label}: ${Math.round(point.value)} on ${dateLabel(point.time, true)}${point.note ? ` (${point.note})` : ""}`;
      group.append(
        marker(item.shape, x(point.time), y(point.value), 5, {
          class: "chart-marker",
          "data-testid": "chart-point",
          "data-series": item.key,
          "data-value": Math.round(point.value),
        }),
      );
      group.lastChild.append(s("title", {}, label));
    }
    svg.append(group);
  }
  return svg;
}
