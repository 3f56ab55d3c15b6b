/**
 * The paper's multiplicity figures from study records: box plots of the counts per model against what a study
 * varies (zero counts included, on a symlog axis), per-model counts, and the network-size comparison with the
 * paper's medians.
 */
import type { StudyRecord } from "../analysis";
import { ModelCounts, modelCounts } from "../experiments/records";
import type { GroupKey } from "../experiments/studies";
import { BoxStats, COUNT_LABELS, COUNT_NAMES, PAPER_NETWORK_SIZE_MEDIANS, boxStats, countValues, groupRecords } from "../experiments/summary";
import { Figure, PALETTE, baseLayout } from "./figure";

const AXIS_TITLES: Record<GroupKey, string> = {
  size: "hidden width k",
  n_gates: "gates learnt jointly",
  gate: "target gate",
  noise: "training inputs",
  skewed: "input distribution",
  loss_target: "loss target",
  settings: "analysis settings",
  none: "study",
};

function axisSuffix(i: number): string {
  return i === 0 ? "" : String(i + 1);
}

/**
 * The symlog-like count axis: y = log10(1 + count), so that 0 sits at the bottom of the axis (a log axis cannot show
 * it) while large counts keep their log spacing. Ticks are labelled with the counts.
 */
export function symlog(count: number): number {
  return Math.log10(1 + count);
}

/** Inverse of symlog (what a plotted y means as a count). */
export function symlogInverse(y: number): number {
  return Math.pow(10, y) - 1;
}

/** Axis settings of a symlog count axis reaching `max`: ticks at 0, 1, 10, 100, ... labelled with the counts. */
export function symlogAxis(title: string, max: number): Record<string, unknown> {
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(1, max))));
  const counts = [0, ...Array.from({ length: decades + 1 }, (_, i) => Math.pow(10, i))];
  return {
    title: { text: title },
    type: "linear",
    tickmode: "array",
    tickvals: counts.map(symlog),
    ticktext: counts.map((c) => (c < 1e4 ? String(c) : `1e${Math.round(Math.log10(c))}`)),
    rangemode: "tozero",
  };
}

/**
 * One box of a symlog count axis, drawn from statistics we compute (boxStats: the median is the summary table's),
 * with every model as a point. Plotly's own quartiles are not used, so plot and table cannot disagree.
 */
function countBox(label: string, values: readonly number[], stats: BoxStats, color: string, ax: string, what: string): Record<string, unknown> {
  const t = (v: number) => symlog(v);
  return {
    type: "box",
    name: label,
    x: [label],
    q1: [t(stats.q1)],
    median: [t(stats.median)],
    q3: [t(stats.q3)],
    lowerfence: [t(stats.min)],
    upperfence: [t(stats.max)],
    y: [values.map(t)],
    boxpoints: "all",
    jitter: 0.4,
    pointpos: 0,
    marker: { color, size: 4, opacity: 0.6 },
    line: { color },
    xaxis: `x${ax}`,
    yaxis: `y${ax}`,
    hoverinfo: "name",
    // The statistics as counts, for readers of the figure's data (and its tests).
    meta: { count: what, n: stats.n, min: stats.min, q1: stats.q1, median: stats.median, q3: stats.q3, max: stats.max, zeros: values.filter((v) => v === 0).length },
  };
}

/**
 * One panel per count (perfect circuits, interpretations, distinct interpretations when recorded, aligned
 * algorithms, minimal mappings per model), one box per group over the accepted models, zero counts included on a
 * symlog axis; each box's median is the summary table's (summarizeRecords). Labels say how many models had 0.
 */
export function multiplicityFigure(records: readonly StudyRecord[], by: GroupKey, title = "Explanations per model"): Figure {
  const groups = groupRecords(records, by);
  if (groups.every((g) => g.counts.length === 0)) throw new Error("multiplicityFigure: no accepted model in these records (nothing to plot).");
  const names = COUNT_NAMES.filter((n) => groups.some((g) => countValues(g.counts, n).length > 0));
  const data: Record<string, unknown>[] = [];
  const rows = Math.ceil(names.length / 2);
  const layout: Record<string, unknown> = baseLayout(title, {
    grid: { rows, columns: 2, pattern: "independent", ygap: 0.3 },
    height: 320 * rows,
    showlegend: false,
  });
  names.forEach((name, p) => {
    const ax = axisSuffix(p);
    let max = 1;
    groups.forEach((g, gi) => {
      const vals = countValues(g.counts, name);
      const stats = boxStats(vals);
      if (!stats) return;
      max = Math.max(max, stats.max);
      const zeros = vals.filter((v) => v === 0).length;
      const label = zeros ? `${g.label} (${zeros}×0)` : g.label;
      data.push(countBox(label, vals, stats, PALETTE[gi % PALETTE.length], ax, name));
    });
    layout[`xaxis${ax}`] = { title: { text: AXIS_TITLES[by] }, type: "category" };
    layout[`yaxis${ax}`] = symlogAxis(COUNT_LABELS[name], max);
  });
  return { data, layout };
}

/** Per model (x = seed offset): the counts on a symlog axis (zeros at the bottom); rejected models are left out. */
export function perModelCountsFigure(records: readonly StudyRecord[], title = "Per model: circuits, interpretations, algorithms, mappings"): Figure {
  const rows = records.map((r) => ({ r, c: modelCounts(r) })).filter((x): x is { r: StudyRecord; c: ModelCounts } => x.c !== null);
  if (rows.length === 0) throw new Error("perModelCountsFigure: no accepted model in these records.");
  const names = COUNT_NAMES.filter((n) => rows.some((x) => x.c[n] !== null));
  let max = 1;
  const data = names.map((name, i) => {
    const pts = rows.filter((x) => x.c[name] !== null);
    for (const x of pts) max = Math.max(max, x.c[name]!);
    return {
      type: "scatter",
      mode: "markers",
      name: COUNT_LABELS[name],
      x: pts.map((x) => x.r.seed_offset),
      y: pts.map((x) => symlog(x.c[name]!)),
      customdata: pts.map((x) => x.c[name]),
      text: pts.map((x) => `${x.r.gates}, k=${x.r.sizes}, seed offset ${x.r.seed_offset}`),
      marker: { color: PALETTE[i % PALETTE.length], size: 7, symbol: ["circle", "square", "cross", "diamond", "triangle-up"][i % 5] },
      hovertemplate: `%{text}<br>${COUNT_LABELS[name]}: %{customdata}<extra></extra>`,
    };
  });
  return { data, layout: baseLayout(title, { xaxis: { title: { text: "seed offset (one model each)" } }, yaxis: symlogAxis("count per model", max), height: 420 }) };
}

/**
 * Network size: our counts per model (boxes) against the paper's medians (red diamonds), for minimal mappings, all
 * valid mappings (minimal or not; panel left out for records without that count) and interpretations, k = 2..5, log y.
 */
export function networkSizeComparisonFigure(records: readonly StudyRecord[], title = "Network size: ours (boxes) vs the paper's medians (◆)"): Figure {
  const groups = groupRecords(records.filter((r) => r.sizes >= 2 && r.sizes <= 5), "size");
  type Panel = { title: string; paper: "mappings" | "interpretations"; values: (c: ModelCounts) => number | null };
  const allPanels: Panel[] = [
    { title: "minimal mappings per model", paper: "mappings", values: (c) => c.mappings },
    { title: "valid mappings per model (minimal or not)", paper: "mappings", values: (c) => c.validMappings },
    { title: "interpretations per model", paper: "interpretations", values: (c) => c.interpretations },
  ];
  const panels = allPanels.filter((p) => groups.some((g) => g.counts.some((c) => p.values(c) !== null)));
  const data: Record<string, unknown>[] = [];
  panels.forEach((panel, p) => {
    const ax = axisSuffix(p);
    groups.forEach((g, gi) => {
      const vals = g.counts.map(panel.values).filter((v): v is number => v !== null && v > 0);
      data.push({ type: "box", name: g.label, x: vals.map(() => g.label), y: vals, boxpoints: "outliers", marker: { color: PALETTE[gi % PALETTE.length] }, xaxis: `x${ax}`, yaxis: `y${ax}`, showlegend: false });
    });
    const ks = [2, 3, 4, 5];
    data.push({
      type: "scatter", mode: "markers+lines", name: p === 0 ? "paper median" : `paper median${" ".repeat(p)}`, showlegend: p === 0,
      x: ks.map((k) => `k=${k}`), y: ks.map((k) => PAPER_NETWORK_SIZE_MEDIANS[k][panel.paper]),
      marker: { symbol: "diamond", size: 12, color: "#D55E00" }, line: { dash: "dot", color: "#D55E00" }, xaxis: `x${ax}`, yaxis: `y${ax}`,
    });
  });
  const cats = ["k=2", "k=3", "k=4", "k=5"];
  const axes: Record<string, unknown> = {};
  panels.forEach((panel, p) => {
    const ax = axisSuffix(p);
    axes[`xaxis${ax}`] = { title: { text: "hidden width k" }, type: "category", categoryorder: "array", categoryarray: cats };
    axes[`yaxis${ax}`] = { title: { text: panel.title }, type: "log" };
  });
  return {
    data,
    layout: baseLayout(title, { grid: { rows: 1, columns: panels.length, pattern: "independent" }, ...axes, height: 450 }),
  };
}
