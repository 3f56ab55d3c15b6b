/**
 * Figures of distributed alignment search: DAS IIA against neuron-set IIA per model of a study, the spread of the
 * subspaces DAS finds for one formula (largest principal angle between every two solutions), how many distinct
 * subspaces reach IIA 1 per aligned formula over a study, and the untrained-network control.
 */
import { DasRecord, DasSubspaces, RandomControlRow, subspaceDistances } from "../das";
import { Figure, PALETTE, baseLayout } from "./figure";

/**
 * One bubble per (neuron-set IIA, DAS IIA, width) with its number of models: per model, the best (or mean) IIA over
 * the formulas DAS was run on, for neuron sets (disjoint single-layer sets, every node) and for DAS. Points above the
 * diagonal are models where a learned rotation does better than any neuron set.
 */
export function dasVsNeuronFigure(records: readonly DasRecord[], statistic: "best" | "mean" = "best"): Figure {
  const sizes = [...new Set(records.map((r) => r.size))].sort((a, b) => a - b);
  const per = (r: DasRecord) => {
    const idx = r.das_iia.flatMap((v, i) => (v === null ? [] : [i]));
    const agg = (xs: number[]) => (statistic === "best" ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0) / xs.length);
    return { x: agg(idx.map((i) => r.neuron_iia[i])), y: agg(idx.map((i) => r.das_iia[i] as number)) };
  };
  const data: Record<string, unknown>[] = sizes.map((k, c) => {
    const counts = new Map<string, { x: number; y: number; n: number }>();
    for (const r of records.filter((r) => r.size === k)) {
      const p = per(r);
      const key = `${p.x.toFixed(4)},${p.y.toFixed(4)}`;
      const e = counts.get(key) ?? { ...p, n: 0 };
      e.n++;
      counts.set(key, e);
    }
    const pts = [...counts.values()];
    // Widths side by side around each point, so that equal points of different widths stay visible.
    const dx = (c - (sizes.length - 1) / 2) * 0.012;
    return {
      type: "scatter", mode: "markers", name: `k = ${k}`,
      x: pts.map((p) => p.x + dx), y: pts.map((p) => p.y + dx),
      marker: { size: pts.map((p) => 8 + 3 * Math.sqrt(p.n)), color: PALETTE[c % PALETTE.length], opacity: 0.75 },
      text: pts.map((p) => `k = ${k}: ${p.n} model${p.n === 1 ? "" : "s"}<br>neuron sets ${p.x.toFixed(3)}, DAS ${p.y.toFixed(3)}`), hoverinfo: "text",
    };
  });
  data.push({ type: "scatter", mode: "lines", x: [0, 1.05], y: [0, 1.05], line: { color: "#999999", dash: "dot" }, hoverinfo: "skip", showlegend: false });
  return {
    data,
    layout: baseLayout(`DAS against neuron sets, per model (${statistic} over the formulas DAS ran on)`, {
      xaxis: { title: { text: "neuron-set IIA" }, range: [0, 1.08] }, yaxis: { title: { text: "DAS IIA" }, range: [0, 1.08] }, height: 460,
    }),
  };
}

/** Largest principal angle (degrees) between every two solutions of one formula: a heatmap; 0 = the same subspaces. */
export function dasSubspaceSpreadFigure(solutions: readonly (DasSubspaces & { label: string })[], title = "Spread of the DAS subspaces"): Figure {
  const labels = solutions.map((s) => s.label);
  const z = solutions.map((a) => solutions.map((b) => (a.d === b.d && a.blocks.length === b.blocks.length ? Math.round((Math.max(...subspaceDistances(a, b)) * 1800) / Math.PI) / 10 : null)));
  return {
    data: [{ type: "heatmap", x: labels, y: labels, z, zmin: 0, zmax: 90, colorscale: "Viridis", colorbar: { title: { text: "degrees" } }, hovertemplate: "%{y} vs %{x}: %{z}°<extra></extra>" }],
    layout: baseLayout(title, { xaxis: { type: "category" }, yaxis: { type: "category", autorange: "reversed" }, height: 380 }),
  };
}

/** Per aligned (model, formula): how many distinct subspaces the restarts reaching IIA 1 span, as a bar chart per width. */
export function dasDistinctSubspacesFigure(records: readonly DasRecord[]): Figure {
  const sizes = [...new Set(records.map((r) => r.size))].sort((a, b) => a - b);
  const max = Math.max(1, ...records.flatMap((r) => r.das_solutions.map((s) => s.distinct)));
  const xs = Array.from({ length: max }, (_, i) => i + 1);
  return {
    data: sizes.map((k, c) => {
      const vals = records.filter((r) => r.size === k).flatMap((r) => r.das_solutions.map((s) => s.distinct));
      return { type: "bar", name: `k = ${k}`, x: xs, y: xs.map((x) => vals.filter((v) => v === x).length), marker: { color: PALETTE[c % PALETTE.length] } };
    }),
    layout: baseLayout("Distinct subspaces at IIA 1 per DAS-aligned formula", { barmode: "group", xaxis: { title: { text: "distinct subspaces (of the restarts at IIA 1)" }, dtick: 1 }, yaxis: { title: { text: "aligned (model, formula) pairs" } }, height: 380 }),
  };
}

/** The untrained-network control: IIA of linear DAS and of the non-linear map, one box per map (points shown). */
export function dasRandomControlFigure(rows: readonly RandomControlRow[]): Figure {
  const maps = ["linear", "nonlinear"] as const;
  return {
    data: maps.map((m, c) => ({
      type: "box", name: m === "linear" ? "linear (rotation)" : "non-linear (coupling map)", boxpoints: "all", jitter: 0.4, pointpos: 0,
      y: rows.filter((r) => r.map === m).map((r) => r.iia), marker: { color: PALETTE[c] },
    })),
    layout: baseLayout("Untrained networks aligned with XOR formulas", { yaxis: { title: { text: "IIA (12 ordered pairs)" }, range: [0, 1.05] }, showlegend: false, height: 380 }),
  };
}
