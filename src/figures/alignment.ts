/**
 * Figures of the what-then-where analysis: a formula as a tree, a mapping drawn on the network, an IIA matrix, the
 * minimal mappings per aligned formula, and where on the network each aligned formula's variables live.
 */
import { GateAlignment, Mapping, NeuronSet, neuronSetName } from "../alignment";
import { Formula, formulaString, nodeLabel, nodesPreOrder, relevantNodes, variableName } from "../formulas";
import { MLP, neuronName, unitSetName } from "../model";
import { Figure, LABEL_TEXT, PALETTE, baseLayout, lightFill } from "./figure";

const OP_SYMBOL: Record<string, string> = { and: "*", or: "+", not: "¬" };

/**
 * The formula as a tree (root on top); each relevant node (intermediate variable) in its own colour (outline and
 * light fill), the others grey. Labels are dark on light fills so that they read on every colour.
 */
export function formulaTreeFigure(f: Formula, title = `Formula ${formulaString(f)}`): Figure {
  const relevant = relevantNodes(f).map((n) => n.id);
  const colourOf = (id: number) => (relevant.includes(id) ? PALETTE[relevant.indexOf(id) % PALETTE.length] : "#999999");
  // x: leaves left to right, internal nodes centred over their children; y: −depth.
  const pos = new Map<number, [number, number]>();
  let nextLeaf = 0;
  const place = (n: Formula, depth: number): number => {
    const x = n.children.length ? n.children.map((c) => place(c, depth + 1)).reduce((a, b) => a + b, 0) / n.children.length : nextLeaf++;
    pos.set(n.id, [x, 0 - depth]); // 0 − 0 is +0 (−depth would give −0 at the root)
    return x;
  };
  place(f, 0);
  const edges: Record<string, unknown> = { type: "scatter", mode: "lines", x: [] as (number | null)[], y: [] as (number | null)[], line: { color: "#999999", width: 1.5 }, hoverinfo: "skip", showlegend: false };
  for (const n of nodesPreOrder(f))
    for (const c of n.children) {
      const [x0, y0] = pos.get(n.id)!;
      const [x1, y1] = pos.get(c.id)!;
      (edges.x as (number | null)[]).push(x0, x1, null);
      (edges.y as (number | null)[]).push(y0, y1, null);
    }
  const nodes = nodesPreOrder(f);
  return {
    data: [
      edges,
      {
        type: "scatter", mode: "markers+text", showlegend: false,
        x: nodes.map((n) => pos.get(n.id)![0]), y: nodes.map((n) => pos.get(n.id)![1]),
        text: nodes.map((n) => `${n.op === "var" ? variableName(n.variable!) : OP_SYMBOL[n.op]}<sub>${n.id}</sub>`),
        hovertext: nodes.map((n) => nodeLabel(n) + (relevant.includes(n.id) ? " (intermediate variable)" : "")), hoverinfo: "text",
        textfont: { color: LABEL_TEXT, size: 14 },
        marker: { size: 34, color: nodes.map((n) => lightFill(colourOf(n.id))), line: { color: nodes.map((n) => colourOf(n.id)), width: 3 } },
      },
    ],
    layout: baseLayout(title, { xaxis: { visible: false }, yaxis: { visible: false }, height: 320 }),
  };
}

function neuronPos(sizes: readonly number[], l: number, j: number): [number, number] {
  return [l, (sizes[l] - 1) / 2 - j];
}

/**
 * The network with each intermediate variable's neurons in its colour (legend = variables); other neurons grey.
 * Every neuron is labelled: inputs by their variable (A, B), the others by their canonical name (L1.0).
 */
export function mappingFigure(model: MLP, mapping: Mapping, title = "A mapping on the network"): Figure {
  const sizes = model.layerSizes;
  const data: Record<string, unknown>[] = [];
  const ex: (number | null)[] = [], ey: (number | null)[] = [];
  for (let i = 0; i + 1 < sizes.length; i++)
    for (let o = 0; o < sizes[i + 1]; o++)
      for (let p = 0; p < sizes[i]; p++) {
        const [x0, y0] = neuronPos(sizes, i, p);
        const [x1, y1] = neuronPos(sizes, i + 1, o);
        ex.push(x0, x1, null);
        ey.push(y0, y1, null);
      }
  data.push({ type: "scatter", mode: "lines", x: ex, y: ey, line: { color: "#e3e3e3", width: 1 }, hoverinfo: "skip", showlegend: false });
  const mapped = new Set<string>();
  Object.entries(mapping).forEach(([label, neurons], k) => {
    neurons.forEach(([l, j]) => mapped.add(`${l}:${j}`));
    data.push({
      type: "scatter", mode: "markers+text", name: label,
      x: neurons.map(([l, j]) => neuronPos(sizes, l, j)[0]), y: neurons.map(([l, j]) => neuronPos(sizes, l, j)[1]),
      text: neurons.map(([l, j]) => neuronName(l, j)), textposition: "middle center", textfont: { color: LABEL_TEXT, size: 11 },
      marker: { size: 34, color: lightFill(PALETTE[k % PALETTE.length]), line: { color: PALETTE[k % PALETTE.length], width: 3 } },
      hovertemplate: `${label} ↦ ${neurons.length ? unitSetName(neurons[0][0], neurons.map(([, j]) => j)) : "∅"}<extra></extra>`,
    });
  });
  const xs: number[] = [], ys: number[] = [], text: string[] = [];
  sizes.forEach((s, l) => {
    for (let j = 0; j < s; j++) {
      if (mapped.has(`${l}:${j}`)) continue;
      const [x, y] = neuronPos(sizes, l, j);
      xs.push(x); ys.push(y);
      text.push(l === 0 ? variableName(j) : neuronName(l, j));
    }
  });
  data.push({ type: "scatter", mode: "markers+text", x: xs, y: ys, text, textposition: "middle center", textfont: { color: LABEL_TEXT, size: 11 }, marker: { size: 34, color: "#f2f2f2", line: { color: "#999999", width: 1 } }, showlegend: false, hoverinfo: "text" });
  return { data, layout: baseLayout(title, { xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" }, height: 340, legend: { orientation: "h", y: -0.05 } }) };
}

/** IIA of each (intermediate variable, neuron set) as a heatmap (output of `iiaMatrix`). */
export function iiaMatrixFigure(m: { nodes: string[]; sets: NeuronSet[]; iia: number[][]; pairs: unknown[] }, title = `IIA over ${m.pairs.length} pairs`): Figure {
  if (m.nodes.length === 0) throw new Error("iiaMatrixFigure: the formula has no intermediate variable to show.");
  return {
    data: [{
      type: "heatmap", z: m.iia, x: m.sets.map(neuronSetName), y: m.nodes, zmin: 0, zmax: 1, colorscale: "Viridis",
      colorbar: { title: { text: "IIA" } }, hovertemplate: "%{y} ↦ %{x}: IIA %{z:.3f}<extra></extra>",
    }],
    layout: baseLayout(title, { xaxis: { title: { text: "neuron set (L{layer}.{units})" }, tickangle: -60 }, yaxis: { automargin: true }, height: 260 + 30 * m.nodes.length, margin: { l: 120, r: 20, t: 50, b: 110 } }),
  };
}

/** Minimal mappings of each aligned formula (bars; hover shows the formula). */
export function mappingsPerFormulaFigure(al: GateAlignment, title = `Minimal mappings per aligned formula (${al.formulas} of ${al.nCandidates} candidates align)`): Figure {
  return {
    data: [{
      type: "bar", x: al.aligned.map((a) => `#${a.index}`), y: al.mappingsPerFormula, marker: { color: PALETTE[0] },
      text: al.mappingsPerFormula.map(String), textposition: "outside",
      hovertext: al.aligned.map((a) => a.formula), hovertemplate: "%{x}: %{hovertext}<br>%{y} minimal mappings<extra></extra>",
    }],
    layout: baseLayout(title, { xaxis: { title: { text: "candidate formula" }, type: "category" }, yaxis: { title: { text: "minimal mappings" } } }),
  };
}

/**
 * The paper's point in one picture: rows = aligned formulas, columns = hidden neurons; a cell is the fraction of
 * the formula's minimal mappings that use the neuron. Several rows (algorithms), several lit cells per row
 * (locations), and neurons shared across algorithms.
 */
export function alignmentOverviewFigure(model: MLP, al: GateAlignment, title = "Several algorithms, several locations each"): Figure {
  const sizes = model.layerSizes;
  const cols: [number, number][] = [];
  for (let l = 1; l < sizes.length - 1; l++) for (let j = 0; j < sizes[l]; j++) cols.push([l, j]);
  const z = al.aligned.map((a) => cols.map(([l, j]) => a.mappings.filter((m) => Object.values(m).some((s) => s.some(([ll, jj]) => ll === l && jj === j))).length / Math.max(1, a.mappings.length)));
  return {
    data: [{
      type: "heatmap", z, x: cols.map(([l, j]) => neuronName(l, j)), y: al.aligned.map((a) => `#${a.index} ${a.formula}`),
      zmin: 0, zmax: 1, colorscale: "Blues", colorbar: { title: { text: "share of mappings" } },
      text: al.aligned.map((a) => cols.map(() => `${a.mappings.length} minimal mappings`)),
      hovertemplate: "%{y}<br>neuron %{x}: used by %{z:.2f} of %{text}<extra></extra>",
    }],
    layout: baseLayout(title, { xaxis: { title: { text: "hidden neuron (L{layer}.{unit})" }, type: "category" }, yaxis: { automargin: true, autorange: "reversed" }, height: 200 + 32 * al.aligned.length, margin: { l: 260, r: 20, t: 50, b: 60 } }),
  };
}
