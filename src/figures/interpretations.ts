/** Figures of interpretations: their distribution per circuit, and one grounding drawn on the network. */
import { Grounding } from "../interpretations";
import { MLP, neuronName } from "../model";
import { Figure, PALETTE, baseLayout } from "./figure";

/**
 * Interpretations per circuit, as bars on a log scale. A log axis cannot show 0, so circuits with no interpretation
 * get a marker labelled "0" below the bars (y = 0.5) instead of silently disappearing.
 */
export function interpretationsPerCircuitFigure(counts: readonly number[], title = "Interpretations per circuit"): Figure {
  const x = counts.map((_, i) => `C${i}`);
  const zeros = x.filter((_, i) => counts[i] === 0);
  const data: Record<string, unknown>[] = [
    { type: "bar", x, y: counts.map((c) => (c > 0 ? c : null)), marker: { color: PALETTE[0] }, text: counts.map(String), name: "interpretations", showlegend: false, hovertemplate: "%{x}: %{text} interpretations<extra></extra>" },
  ];
  if (zeros.length)
    data.push({ type: "scatter", mode: "markers+text", x: zeros, y: zeros.map(() => 0.5), text: zeros.map(() => "0"), textposition: "top center", marker: { symbol: "x", size: 10, color: PALETTE[3] }, name: "no interpretation", hovertemplate: "%{x}: 0 interpretations<extra></extra>" });
  return {
    data,
    layout: baseLayout(title, { yaxis: { type: "log", title: { text: "interpretations (log)" } }, xaxis: { title: { text: "perfect circuit" }, type: "category" } }),
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
