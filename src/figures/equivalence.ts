/** Figures of the interpretive-equivalence study (EQUIVALENCE 6.8): unit maps, heatmaps, distributions, ROC, sweeps. */
import { MLP, neuronName } from "../model";
import { probeActivations } from "../equivalence/represent";
import { mat } from "../equivalence/linalg";
import { rocCurve, auc } from "../equivalence/measures";
import { Figure, PALETTE, baseLayout } from "./figure";

/** Every hidden unit's activation over [−0.25, 1.25]² as small heatmaps (one row per net); shows what a class means. */
export function unitMapsFigure(nets: readonly { model: MLP; title: string }[], title = "Hidden units over the input square", grid = 41): Figure {
  if (nets.length === 0) throw new Error("unitMapsFigure: give at least one net.");
  const axis = Array.from({ length: grid }, (_, i) => -0.25 + (1.5 * i) / (grid - 1));
  const x = mat(grid * grid, 2);
  for (let i = 0; i < grid; i++) for (let j = 0; j < grid; j++) x.v.set([axis[j], axis[i]], (i * grid + j) * 2);
  const cols = Math.max(...nets.map((n) => n.model.layerSizes.slice(1, -1).reduce((s, w) => s + w, 0)));
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {};
  nets.forEach((net, r) => {
    const acts = probeActivations(net.model, x);
    let c = 0;
    for (let l = 1; l < net.model.layerSizes.length - 1; l++)
      for (let u = 0; u < net.model.layerSizes[l]; u++, c++) {
        const k = r * cols + c + 1;
        const z = Array.from({ length: grid }, (_, i) => Array.from({ length: grid }, (_, j) => acts[l].v[(i * grid + j) * net.model.layerSizes[l] + u]));
        data.push({ type: "heatmap", x: axis, y: axis, z, colorscale: "Viridis", showscale: false, xaxis: `x${k}`, yaxis: `y${k}`, hovertemplate: `${net.title} ${neuronName(l, u)}<br>a=%{x:.2f} b=%{y:.2f}: %{z:.2f}<extra></extra>` });
        const dom = (i: number, n: number) => [i / n + 0.01, (i + 1) / n - 0.01];
        layout[`xaxis${k}`] = { domain: dom(c, cols), anchor: `y${k}`, showticklabels: false };
        const row = nets.length - 1 - r;
        layout[`yaxis${k}`] = { domain: [(row / nets.length) * 0.92, ((row + 1) / nets.length) * 0.92 - 0.06], anchor: `x${k}`, showticklabels: false };
        annotations.push({ text: `${c === 0 ? net.title + " · " : ""}${neuronName(l, u)}`, xref: "paper", yref: "paper", x: (c + 0.5) / cols, y: ((nets.length - r) / nets.length) * 0.92 - 0.055, showarrow: false, font: { size: 10 }, yanchor: "bottom" });
      }
  });
  return { data, layout: baseLayout(title, { ...layout, annotations, height: 170 * nets.length + 60 }) };
}

/** Pairwise matrix (e.g. congruity) as a heatmap with nets sorted by class; every net named on both axes. */
export function congruityHeatmapFigure(s: number[][], labels: readonly string[], classes: readonly string[], title = "Pairwise congruity (sorted by class)"): Figure {
  const order = labels.map((_, i) => i).sort((i, j) => classes[i].localeCompare(classes[j]) || i - j);
  const names = order.map((i) => `${i}: ${labels[i]}`);
  // room for the longest tick label at 8 px (about 5 px a character): the default 60 px margin clipped them
  const room = 20 + Math.ceil(5 * Math.max(0, ...names.map((n) => n.length)));
  const ticks = { tickfont: { size: 8 }, dtick: 1, automargin: true };
  return {
    data: [{ type: "heatmap", z: order.map((i) => order.map((j) => s[i][j])), x: names, y: names, colorscale: "Viridis", zmin: 0, zmax: 1, colorbar: { title: { text: "score" } } }],
    layout: baseLayout(title, {
      height: 640 + room,
      margin: { l: room, r: 20, t: 50, b: room },
      xaxis: { ...ticks, tickangle: -90 },
      yaxis: { ...ticks, autorange: "reversed" },
    }),
  };
}

/** Within- vs between-class similarity per measure (the point test's two distributions), as paired violins. */
export function withinBetweenFigure(rows: readonly { measure: string; within: number[]; between: number[] }[], title = "Within- vs between-class similarity"): Figure {
  const trace = (key: "within" | "between", color: string) => ({
    type: "violin",
    name: key === "within" ? "same class" : "different class",
    x: rows.flatMap((r) => r[key].map(() => r.measure)),
    y: rows.flatMap((r) => r[key]),
    side: key === "within" ? "negative" : "positive",
    line: { color },
    points: false,
    meanline: { visible: true },
  });
  return { data: [trace("within", PALETTE[0]), trace("between", PALETTE[1])], layout: baseLayout(title, { violinmode: "overlay", violingap: 0, yaxis: { title: { text: "similarity" } } }) };
}

/** ROC curve per measure with its AUC in the legend. */
export function rocFigure(rows: readonly { measure: string; within: number[]; between: number[] }[], title = "ROC: same-class vs cross-class pairs"): Figure {
  const data: Record<string, unknown>[] = rows.map((r, i) => {
    const { fpr, tpr } = rocCurve(r.within, r.between);
    return { type: "scatter", mode: "lines", name: `${r.measure} (AUC ${auc(r.within, r.between).toFixed(3)})`, x: fpr, y: tpr, line: { color: PALETTE[i % PALETTE.length], shape: "hv" } };
  });
  data.push({ type: "scatter", mode: "lines", name: "chance", x: [0, 1], y: [0, 1], line: { color: "#999", dash: "dot" } });
  return { data, layout: baseLayout(title, { xaxis: { title: { text: "false-positive rate" }, range: [0, 1] }, yaxis: { title: { text: "true-positive rate" }, range: [0, 1.02] }, height: 480 }) };
}

/** AUC against probe noise σ, one line per measure. */
export function noiseSweepFigure(sigmas: readonly number[], series: Record<string, number[]>, title = "Probe-noise sweep (σ = 0: the 4 clean corners)"): Figure {
  return {
    data: Object.entries(series).map(([name, ys], i) => ({ type: "scatter", mode: "lines+markers", name, x: sigmas, y: ys, line: { color: PALETTE[i % PALETTE.length] } })),
    layout: baseLayout(title, { xaxis: { title: { text: "probe noise σ" } }, yaxis: { title: { text: "AUC (C1 vs C2)" }, range: [0.4, 1.02] } }),
  };
}

/** s(X→Y) against s(Y→X) per pair, coloured by the pair's class combination: asymmetric pairs fall off the diagonal. */
export function directionalityFigure(s: number[][], classes: readonly string[], title = "Directionality of ridge predictivity"): Figure {
  const groups = new Map<string, { x: number[]; y: number[] }>();
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++) {
      if (i === j) continue;
      const key = classes[i] === classes[j] ? `${classes[i]} (same)` : `${classes[i]} → ${classes[j]}`;
      if (!groups.has(key)) groups.set(key, { x: [], y: [] });
      groups.get(key)!.x.push(s[i][j]);
      groups.get(key)!.y.push(s[j][i]);
    }
  const data: Record<string, unknown>[] = [...groups.entries()].map(([name, g], k) => ({ type: "scatter", mode: "markers", name, x: g.x, y: g.y, marker: { size: 6, color: PALETTE[k % PALETTE.length], opacity: 0.7 } }));
  data.push({ type: "scatter", mode: "lines", name: "diagonal", x: [0, 1], y: [0, 1], line: { color: "#999", dash: "dot" } });
  return { data, layout: baseLayout(title, { xaxis: { title: { text: "s(X → Y)" }, range: [0, 1.02] }, yaxis: { title: { text: "s(Y → X)" }, range: [0, 1.02] }, height: 480 }) };
}

/** Drop ratio (or selectivity) against the number of patched units, one line per target group. */
export function patchingFigure(k: readonly number[], series: Record<string, number[]>, title = "Drop of predictivity under patching", yTitle = "1 − s(do_k A → B) / s(A → B)"): Figure {
  return {
    data: Object.entries(series).map(([name, ys], i) => ({ type: "scatter", mode: "lines+markers", name, x: k, y: ys, line: { color: PALETTE[i % PALETTE.length] } })),
    layout: baseLayout(title, { xaxis: { title: { text: "patched units k" }, dtick: 1 }, yaxis: { title: { text: yTitle } } }),
  };
}
