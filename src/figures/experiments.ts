/**
 * The paper's multiplicity figures from study records: box plots (log scale) of the four counts per model against
 * what a study varies, per-model counts, and the network-size comparison with the paper's medians.
 */
import type { StudyRecord } from "../experiments/records";
import { ModelCounts, modelCounts } from "../experiments/records";
import type { GroupKey } from "../experiments/studies";
import { COUNT_LABELS, COUNT_NAMES, CountName, PAPER_NETWORK_SIZE_MEDIANS, countValues, groupRecords } from "../experiments/summary";
import { Figure, PALETTE, baseLayout } from "./figure";

const AXIS_TITLES: Record<GroupKey, string> = {
  size: "hidden width k",
  n_gates: "gates learnt jointly",
  gate: "target gate",
  noise: "training inputs",
  skewed: "input distribution",
  loss_target: "loss target",
  none: "study",
};

function axisSuffix(i: number): string {
  return i === 0 ? "" : String(i + 1);
}

/**
 * Four panels (perfect circuits, interpretations, aligned algorithms, minimal mappings per model), one box per
 * group, log y. Zero counts cannot sit on a log axis: each box's label says how many models had 0.
 */
export function multiplicityFigure(records: readonly StudyRecord[], by: GroupKey, title = "Explanations per model"): Figure {
  const groups = groupRecords(records, by);
  if (groups.every((g) => g.counts.length === 0)) throw new Error("multiplicityFigure: no accepted model in these records (nothing to plot).");
  const names = COUNT_NAMES.filter((n) => groups.some((g) => countValues(g.counts, n).length > 0));
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = baseLayout(title, {
    grid: { rows: 2, columns: 2, pattern: "independent", ygap: 0.3 },
    height: 640,
    showlegend: false,
    annotations: [] as unknown[],
  });
  names.forEach((name, p) => {
    const ax = axisSuffix(p);
    groups.forEach((g, gi) => {
      const vals = countValues(g.counts, name);
      const zeros = vals.filter((v) => v === 0).length;
      const label = zeros ? `${g.label} (${zeros}×0)` : g.label;
      data.push({
        type: "box",
        name: label,
        x: vals.filter((v) => v > 0).map(() => label),
        y: vals.filter((v) => v > 0),
        boxpoints: "all",
        jitter: 0.4,
        pointpos: 0,
        marker: { color: PALETTE[gi % PALETTE.length], size: 4, opacity: 0.6 },
        line: { color: PALETTE[gi % PALETTE.length] },
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
        hovertemplate: `${COUNT_LABELS[name]}: %{y}<extra>${g.label}</extra>`,
      });
    });
    layout[`xaxis${ax}`] = { title: { text: AXIS_TITLES[by] }, type: "category" };
    layout[`yaxis${ax}`] = { title: { text: COUNT_LABELS[name] }, type: "log" };
  });
  return { data, layout };
}

/** Per model (x = seed offset): the four counts, log y; rejected models and zero counts are left out. */
export function perModelCountsFigure(records: readonly StudyRecord[], title = "Per model: circuits, interpretations, algorithms, mappings"): Figure {
  const rows = records.map((r) => ({ r, c: modelCounts(r) })).filter((x) => x.c !== null);
  if (rows.length === 0) throw new Error("perModelCountsFigure: no accepted model in these records.");
  const data = COUNT_NAMES.filter((n) => rows.some((x) => x.c![n] !== null)).map((name, i) => {
    const pts = rows.filter((x) => (x.c![name] ?? 0) > 0);
    return {
      type: "scatter",
      mode: "markers",
      name: COUNT_LABELS[name],
      x: pts.map((x) => x.r.seed_offset),
      y: pts.map((x) => x.c![name]),
      text: pts.map((x) => `${x.r.gates}, k=${x.r.sizes}, seed offset ${x.r.seed_offset}`),
      marker: { color: PALETTE[i], size: 7, symbol: ["circle", "square", "diamond", "triangle-up"][i] },
      hovertemplate: `%{text}<br>${COUNT_LABELS[name]}: %{y}<extra></extra>`,
    };
  });
  return { data, layout: baseLayout(title, { xaxis: { title: { text: "seed offset (one model each)" } }, yaxis: { title: { text: "count per model" }, type: "log" }, height: 420 }) };
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
