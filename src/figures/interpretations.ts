/** Figures of interpretations: their distribution per circuit, and one grounding drawn on the network. */
import { Grounding } from "../interpretations";
import { MLP, neuronName } from "../model";
import { Figure, PALETTE, baseLayout } from "./figure";

/** Interpretations per circuit, as bars on a log scale (circuits with 0 interpretations shown as a marker at the axis). */
export function interpretationsPerCircuitFigure(counts: readonly number[], title = "Interpretations per circuit"): Figure {
  const x = counts.map((_, i) => `C${i}`);
  return {
    data: [{ type: "bar", x, y: counts.map((c) => (c > 0 ? c : null)), marker: { color: PALETTE[0] }, text: counts.map(String), hovertemplate: "%{x}: %{text} interpretations<extra></extra>" }],
    layout: baseLayout(title, { yaxis: { type: "log", title: { text: "interpretations (log)" } }, xaxis: { title: { text: "perfect circuit" } } }),
  };
}

/** One grounding on the network: each grounded neuron labelled by its local gate and global truth table. */
export function groundingFigure(model: MLP, g: Grounding, title = "One interpretation"): Figure {
  const sizes = model.layerSizes;
  const pos = (l: number, j: number): [number, number] => [l, (sizes[l] - 1) / 2 - j];
  const xs: number[] = [], ys: number[] = [], text: string[] = [], colors: string[] = [], hover: string[] = [];
  sizes.forEach((s, l) => {
    for (let j = 0; j < s; j++) {
      const [x, y] = pos(l, j);
      const n = g.nodes.find((k) => k.layer === l && k.neuron === j);
      xs.push(x); ys.push(y);
      text.push(l === 0 ? `x${j}` : n ? `${n.gate}<br>${n.table.join("")}` : "");
      colors.push(l === 0 ? PALETTE[7] : n ? PALETTE[2] : "#dddddd");
      hover.push(n ? `${neuronName(l, j)}: ${n.gate}, threshold ${n.threshold.toFixed(3)}, table ${n.table.join("")}` : neuronName(l, j));
    }
  });
  return {
    data: [{ type: "scatter", mode: "markers+text", x: xs, y: ys, text, textposition: "top center", hovertext: hover, hoverinfo: "text", marker: { size: 24, color: colors }, showlegend: false }],
    layout: baseLayout(title, { xaxis: { visible: false, range: [-0.5, sizes.length - 0.5] }, yaxis: { visible: false }, height: 340 }),
  };
}
