/** Figures of circuits: one circuit drawn on the network, and node/edge usage across circuits. */
import { CircuitMasks, MLP, neuronName } from "../model";
import { Figure, PALETTE, baseLayout } from "./figure";

function nodePos(sizes: readonly number[], l: number, j: number): [number, number] {
  return [l, (sizes[l] - 1) / 2 - j];
}

/** The network with the circuit's active nodes and edges (width ∝ |weight|, blue positive, orange negative); the rest faint. */
export function circuitFigure(model: MLP, circuit: CircuitMasks, title = "Circuit"): Figure {
  const sizes = model.layerSizes;
  const data: Record<string, unknown>[] = [];
  const maxW = Math.max(1e-9, ...model.weights.flatMap((w) => Array.from(w, Math.abs)));
  model.weights.forEach((W, i) => {
    for (let o = 0; o < sizes[i + 1]; o++)
      for (let p = 0; p < sizes[i]; p++) {
        const w = W[o * sizes[i] + p];
        const on = circuit.edgeMasks[i][o * sizes[i] + p] === 1;
        const [x0, y0] = nodePos(sizes, i, p);
        const [x1, y1] = nodePos(sizes, i + 1, o);
        data.push({
          type: "scatter", mode: "lines", x: [x0, x1], y: [y0, y1], showlegend: false, hoverinfo: "text",
          text: `${neuronName(i, p)} → ${neuronName(i + 1, o)}: w = ${w.toFixed(3)}${on ? "" : " (ablated)"}`,
          line: { width: on ? 1 + 6 * (Math.abs(w) / maxW) : 1, color: on ? (w >= 0 ? PALETTE[0] : PALETTE[3]) : "#dddddd", dash: on ? "solid" : "dot" },
        });
      }
  });
  const xs: number[] = [], ys: number[] = [], colors: string[] = [], labels: string[] = [];
  sizes.forEach((s, l) => {
    for (let j = 0; j < s; j++) {
      const [x, y] = nodePos(sizes, l, j);
      xs.push(x); ys.push(y);
      colors.push(circuit.nodeMasks[l][j] ? PALETTE[7] : "#dddddd");
      labels.push(neuronName(l, j));
    }
  });
  data.push({ type: "scatter", mode: "markers+text", x: xs, y: ys, text: labels, textposition: "top center", marker: { size: 22, color: colors }, showlegend: false, hoverinfo: "text" });
  return { data, layout: baseLayout(title, { xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" }, height: 320 }) };
}

/** How often each node and each edge is used across circuits, as two heatmaps (fraction of circuits). */
export function circuitUsageFigure(circuits: readonly CircuitMasks[], title = "Node and edge usage across circuits"): Figure {
  if (circuits.length === 0) throw new Error("circuitUsageFigure: no circuits to summarise.");
  const c0 = circuits[0];
  const nodes = c0.nodeMasks.map((m, l) => Array.from(m, (_, j) => circuits.filter((c) => c.nodeMasks[l][j]).length / circuits.length));
  const edgeLabels: string[] = [];
  const edgeUse: number[] = [];
  c0.edgeMasks.forEach((m, i) => m.forEach((_, k) => {
    const nin = c0.nodeMasks[i].length;
    edgeLabels.push(`${neuronName(i, k % nin)}→${neuronName(i + 1, Math.floor(k / nin))}`);
    edgeUse.push(circuits.filter((c) => c.edgeMasks[i][k]).length / circuits.length);
  }));
  const width = Math.max(...nodes.map((r) => r.length));
  return {
    data: [
      { type: "heatmap", z: nodes.map((r) => [...r, ...new Array(width - r.length).fill(null)]), y: nodes.map((_, l) => `L${l}`), x: Array.from({ length: width }, (_, j) => `unit ${j}`), colorscale: "Blues", zmin: 0, zmax: 1, xaxis: "x", yaxis: "y", colorbar: { title: { text: "fraction" } } },
      { type: "heatmap", z: [edgeUse], x: edgeLabels, y: ["edges"], colorscale: "Blues", zmin: 0, zmax: 1, xaxis: "x2", yaxis: "y2", showscale: false },
    ],
    layout: baseLayout(title, { grid: { rows: 2, columns: 1, pattern: "independent" }, height: 420 }),
  };
}

/** Pairwise Jaccard overlaps of circuits as a heatmap. */
export function jaccardFigure(jaccard: readonly number[][], title = "Jaccard overlap of the circuits' edges"): Figure {
  const labels = jaccard.map((_, i) => `C${i}`);
  return { data: [{ type: "heatmap", z: jaccard, x: labels, y: labels, colorscale: "Viridis", zmin: 0, zmax: 1 }], layout: baseLayout(title, { yaxis: { autorange: "reversed" }, height: 420 }) };
}
