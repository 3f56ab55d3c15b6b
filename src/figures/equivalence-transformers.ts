/**
 * Figures of the transformer equivalence study (src/equivalence-transformers): selectivity against the head budget
 * per source algorithm, the 6×6 detection grid, the transfer matrix over implementations, within- vs
 * between-algorithm similarity, and a map of the implementations. All take the study's plain result.
 */
import { TransformerStudyResult, implementationMap, withinBetweenSimilarity } from "../equivalence-transformers/statistics";
import { Figure, LABEL_TEXT, PALETTE, baseLayout } from "./figure";
import { congruityHeatmapFigure, withinBetweenFigure } from "./equivalence";

/** One panel per source algorithm (3 per row): selectivity against k, one line per target, the source's own line thick. */
export function selectivityFigure(result: TransformerStudyResult, title = "Intervention selectivity against the number of patched circuit heads"): Figure {
  const names = result.settings.algorithms;
  const cols = Math.min(3, names.length);
  const rows = Math.ceil(names.length / cols);
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  names.forEach((src, p) => {
    // Plotly numbers axes x, x2, x3, …
    const ax = p === 0 ? "" : String(p + 1);
    const r = Math.floor(p / cols);
    const c = p % cols;
    const x0 = c / cols + 0.04;
    const x1 = (c + 1) / cols - 0.02;
    const y1 = 1 - r / rows - 0.08;
    const y0 = 1 - (r + 1) / rows + 0.06;
    layout[`xaxis${ax}`] = { domain: [x0, x1], anchor: `y${ax}`, dtick: 1, ...(r === rows - 1 ? { title: { text: "patched heads k" } } : {}) };
    layout[`yaxis${ax}`] = { domain: [y0, y1], anchor: `x${ax}`, range: [-0.05, 1.05], ...(c === 0 ? { title: { text: "selectivity" } } : {}) };
    annotations.push({ text: `source ${src}`, xref: "paper", yref: "paper", x: (x0 + x1) / 2, y: y1 + 0.01, showarrow: false, yanchor: "bottom", font: { size: 12 } });
    names.forEach((tgt, t) => {
      const curve = result.selectivity.find((s) => s.source === src && s.target === tgt);
      if (!curve) return;
      data.push({
        type: "scatter",
        mode: "lines+markers",
        name: tgt,
        legendgroup: tgt,
        showlegend: p === 0,
        x: curve.k,
        y: curve.score,
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
        line: { color: PALETTE[t % PALETTE.length], width: tgt === src ? 4 : 1.5 },
        marker: { size: tgt === src ? 7 : 4 },
        hovertemplate: `${src} → ${tgt}<br>k=%{x}: %{y:.2f}<extra></extra>`,
      });
    });
    data.push({ type: "scatter", mode: "lines", x: [0, Math.max(...result.selectivity.filter((s) => s.source === src).map((s) => s.k.length - 1))], y: [0.5, 0.5], xaxis: `x${ax}`, yaxis: `y${ax}`, line: { color: "#999", dash: "dot" }, showlegend: false, hoverinfo: "skip" });
  });
  return { data, layout: baseLayout(title, { ...layout, annotations, height: 300 * rows + 80, legend: { title: { text: "target" } } }) };
}

/** The point test's detection rate per (reference A, other B) as a heat map with the rates written in the cells. */
export function detectionGridFigure(result: TransformerStudyResult, title = "Detection rate: A told apart from B (point test, 40 bootstraps)"): Figure {
  const names = result.settings.algorithms;
  const annotations = names.flatMap((a, i) =>
    names.map((b, j) => ({ x: b, y: a, text: result.detection[i][j].toFixed(2), showarrow: false, font: { color: result.detection[i][j] > 0.6 ? LABEL_TEXT : "#ffffff", size: 12 } })),
  );
  return {
    data: [{ type: "heatmap", z: result.detection, x: names, y: names, zmin: 0, zmax: 1, colorscale: "Viridis", colorbar: { title: { text: "detection rate" } }, hovertemplate: "A=%{y}, B=%{x}: %{z:.2f}<extra></extra>" }],
    layout: baseLayout(title, { annotations, height: 560, xaxis: { title: { text: "B (other algorithm)" }, tickangle: -30 }, yaxis: { title: { text: "A (reference algorithm)" }, autorange: "reversed" }, margin: { l: 140, r: 20, t: 50, b: 110 } }),
  };
}

/** s(Mi→Mj) over every pair of implementations, sorted by algorithm (the transfer matrix). */
export function transferMatrixFigure(result: TransformerStudyResult, title = "Transfer matrix s(Mi → Mj) over implementations"): Figure {
  const counts = new Map<string, number>();
  const labels = result.implementations.map((im) => {
    const k = (counts.get(im.algorithm) ?? 0) + 1;
    counts.set(im.algorithm, k);
    return `${im.algorithm} #${k}`;
  });
  const order = new Map(result.settings.algorithms.map((a, i) => [a, String(i).padStart(2, "0")]));
  return congruityHeatmapFigure(result.similarity, labels, result.implementations.map((im) => `${order.get(im.algorithm)} ${im.algorithm}`), title);
}

/** Per source algorithm, s(a→a′) within the algorithm against s(a→b) to the others, as paired violins. */
export function algorithmSimilarityFigure(result: TransformerStudyResult, title = "Within- vs between-algorithm similarity s(a → ·)"): Figure {
  const fig = withinBetweenFigure(withinBetweenSimilarity(result), title);
  (fig.data[0] as Record<string, unknown>).name = "same algorithm";
  (fig.data[1] as Record<string, unknown>).name = "other algorithms";
  fig.layout.xaxis = { title: { text: "source algorithm" } };
  return fig;
}

/** The implementations placed by classical MDS of 1 − mean two-way similarity, coloured by algorithm. */
export function implementationMapFigure(result: TransformerStudyResult, title = "Implementations by classical MDS of 1 − similarity"): Figure {
  const map = implementationMap(result.similarity);
  const data = result.settings.algorithms.map((a, t) => {
    const idx = result.implementations.map((im, i) => (im.algorithm === a ? i : -1)).filter((i) => i >= 0);
    return {
      type: "scatter",
      mode: "markers",
      name: a,
      x: idx.map((i) => map.x[i]),
      y: idx.map((i) => map.y[i]),
      text: idx.map((i) => result.implementations[i].stages.join(" · ")),
      marker: { size: 9, color: PALETTE[t % PALETTE.length], opacity: 0.85 },
      hovertemplate: "%{text}<extra>" + a + "</extra>",
    };
  });
  return { data, layout: baseLayout(`${title} (axes carry ${(100 * map.explained).toFixed(0)}% of the spectrum)`, { xaxis: { title: { text: "MDS 1" }, zeroline: false }, yaxis: { title: { text: "MDS 2" }, zeroline: false, scaleanchor: "x" }, height: 520 }) };
}
