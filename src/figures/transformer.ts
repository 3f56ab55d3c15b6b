/**
 * Figures of the transformer half: a RASP program as a graph (columns = the residual stream's sublayers), attention
 * patterns per head on one example (a grid of heat maps, in the spirit of CircuitsVis), IIA per high-level node, and
 * a correspondence drawn on the architecture (layers × heads and MLP neurons, coloured by high-level node). They take
 * plain arrays, so a pattern can come from any model (a trained transformer's cache or a program's selector).
 */
import { Correspondence, RaspProgram, computedNodes } from "../rasp";
import type { TransformerConfig } from "../transformer/types";
import { InputError } from "../errors";
import { Figure, LABEL_TEXT, PALETTE, baseLayout, lightFill } from "./figure";

const GREY = "#bbbbbb";
const UNUSED = "#eeeeee";

/** One colour per computed node (program order), grey for the inputs: the same in every figure. */
export function nodeColours(program: RaspProgram): Record<string, string> {
  const out: Record<string, string> = {};
  computedNodes(program).forEach((n, i) => (out[n.name] = PALETTE[i % PALETTE.length]));
  for (const n of program.nodes) out[n.name] ??= GREY;
  return out;
}

const sublayerName = (s: number) => (s < 0 ? "embed" : `${s % 2 === 0 ? "attn" : "mlp"} ${Math.floor(s / 2)}`);

/**
 * The program as a graph: one column per sublayer of the residual stream (embeddings, attn 0, mlp 0, attn 1, …),
 * nodes coloured as in the other figures (inputs grey), the output outlined in black; hover shows each node's
 * operation and its number of values.
 */
export function programGraphFigure(program: RaspProgram, title = `Case ${program.id}: ${program.name}`): Figure {
  const colours = nodeColours(program);
  const column = new Map<string, number>();
  for (const n of program.nodes) column.set(n.name, n.component === "input" ? -1 : 2 * n.layer + (n.component === "mlp" ? 1 : 0));
  const columns = [...new Set(column.values())].sort((a, b) => a - b);
  const maxSub = Math.max(...columns);
  const pos = new Map<string, [number, number]>();
  for (let s = -1; s <= maxSub; s++) {
    const inCol = program.nodes.filter((n) => column.get(n.name) === s);
    inCol.forEach((n, i) => pos.set(n.name, [s + 1, (inCol.length - 1) / 2 - i]));
  }
  const ex: (number | null)[] = [];
  const ey: (number | null)[] = [];
  for (const n of program.nodes)
    for (const i of n.inputs) {
      const [x0, y0] = pos.get(i)!;
      const [x1, y1] = pos.get(n.name)!;
      ex.push(x0, x1, null);
      ey.push(y0, y1, null);
    }
  const nodes = program.nodes;
  return {
    data: [
      { type: "scatter", mode: "lines", x: ex, y: ey, line: { color: "#999999", width: 1.5 }, hoverinfo: "skip", showlegend: false },
      {
        type: "scatter",
        mode: "markers+text",
        showlegend: false,
        x: nodes.map((n) => pos.get(n.name)![0]),
        y: nodes.map((n) => pos.get(n.name)![1]),
        text: nodes.map((n) => n.name),
        textposition: "bottom center",
        textfont: { color: LABEL_TEXT, size: 12 },
        hovertext: nodes.map((n) => `${n.name} = ${n.label} (${n.kind}, ${n.values.length} values${n.name === program.output ? ", output" : ""})`),
        hoverinfo: "text",
        marker: {
          size: 26,
          symbol: nodes.map((n) => (n.component === "attn" ? "diamond" : n.component === "mlp" ? "square" : "circle")),
          color: nodes.map((n) => lightFill(colours[n.name], 0.45)),
          line: { color: nodes.map((n) => (n.name === program.output ? "#000000" : colours[n.name])), width: nodes.map((n) => (n.name === program.output ? 3 : 2)) },
        },
      },
    ],
    layout: baseLayout(title, {
      xaxis: { tickvals: Array.from({ length: maxSub + 2 }, (_, i) => i), ticktext: Array.from({ length: maxSub + 2 }, (_, i) => sublayerName(i - 1)), zeroline: false, showgrid: false, range: [-0.5, maxSub + 1.5] },
      yaxis: { visible: false, range: [Math.min(...[...pos.values()].map((p) => p[1])) - 0.8, Math.max(...[...pos.values()].map((p) => p[1])) + 0.5] },
      height: 320,
    }),
  };
}

/** `"l.h"` → node name, from a correspondence's attention sites. */
function headOwners(corr: Correspondence | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [node, sites] of Object.entries(corr ?? {})) for (const s of sites) if (s.component === "attn") for (const h of s.heads) out.set(`${s.layer}.${h}`, node);
  return out;
}

export interface AttentionPatternsOptions {
  /** Position labels (BOS first), used on both axes. */
  positions: string[];
  /** Names the node each head implements in the subplot titles, and outlines those heads in the node's colour. */
  correspondence?: Correspondence;
  program?: RaspProgram;
  title?: string;
}

/**
 * Attention patterns on one example: `patterns[layer][head][query][key]` (rows sum to 1) as a grid of heat maps,
 * one row per layer and one column per head; queries top to bottom, keys left to right.
 */
export function attentionPatternsFigure(patterns: number[][][][], options: AttentionPatternsOptions): Figure {
  const { positions, correspondence, program, title = "Attention patterns" } = options;
  const nLayers = patterns.length;
  const nHeads = Math.max(...patterns.map((l) => l.length));
  const owners = headOwners(correspondence);
  const colours = program ? nodeColours(program) : {};
  const data: Record<string, unknown>[] = [];
  const axes: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const gap = 0.04;
  const w = (1 - gap * (nHeads - 1)) / nHeads;
  const h = (0.9 - 0.08 * (nLayers - 1)) / nLayers;
  for (let l = 0; l < nLayers; l++)
    for (let hd = 0; hd < nHeads; hd++) {
      const k = l * nHeads + hd + 1;
      const x0 = hd * (w + gap);
      const y1 = 0.9 - l * (h + 0.08);
      const owner = owners.get(`${l}.${hd}`);
      data.push({
        type: "heatmap",
        z: patterns[l][hd],
        x: positions,
        y: positions,
        zmin: 0,
        zmax: 1,
        colorscale: [
          [0, "#ffffff"],
          [1, "#08306b"],
        ],
        showscale: k === 1,
        colorbar: { title: { text: "attention" }, len: 0.5 },
        xaxis: `x${k}`,
        yaxis: `y${k}`,
        hovertemplate: `L${l} H${hd}<br>query %{y} → key %{x}: %{z:.2f}<extra></extra>`,
      });
      axes[`xaxis${k}`] = { domain: [x0, x0 + w], anchor: `y${k}`, tickfont: { size: 9 }, type: "category" };
      axes[`yaxis${k}`] = { domain: [y1 - h, y1], anchor: `x${k}`, autorange: "reversed", tickfont: { size: 9 }, type: "category", showticklabels: hd === 0 };
      annotations.push({ text: `L${l} H${hd}${owner ? ` · ${owner}` : ""}`, xref: "paper", yref: "paper", x: x0 + w / 2, y: y1, yanchor: "bottom", showarrow: false, font: { size: 11, color: owner && colours[owner] ? colours[owner] : LABEL_TEXT } });
      if (owner) shapes.push({ type: "rect", xref: "paper", yref: "paper", x0, x1: x0 + w, y0: y1 - h, y1, line: { color: colours[owner] ?? "#000000", width: 3 } });
    }
  return { data, layout: baseLayout(title, { ...axes, annotations, shapes, height: 190 * nLayers + 90, margin: { l: 50, r: 20, t: 70, b: 40 } }) };
}

/**
 * IIA per high-level node (bars in the node colours when the program is given), with the acceptance threshold
 * (InterpBench keeps models at 0.8) as a dashed line.
 */
export function iiaPerNodeFigure(iia: Record<string, number>, options: { program?: RaspProgram; threshold?: number; title?: string } = {}): Figure {
  const { program, threshold = 0.8, title = "Interchange intervention accuracy per high-level node" } = options;
  const names = Object.keys(iia);
  const colours = program ? nodeColours(program) : {};
  return {
    data: [
      {
        type: "bar",
        x: names,
        y: names.map((n) => iia[n]),
        marker: { color: names.map((n, i) => colours[n] ?? PALETTE[i % PALETTE.length]) },
        text: names.map((n) => iia[n].toFixed(3)),
        textposition: "outside",
        hovertemplate: "%{x}: IIA %{y:.3f}<extra></extra>",
        showlegend: false,
      },
    ],
    layout: baseLayout(title, {
      yaxis: { title: { text: "IIA" }, range: [0, 1.1] },
      xaxis: { title: { text: "high-level node" } },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: threshold, y1: threshold, line: { color: "#555555", dash: "dash", width: 1.5 } }],
      height: 340,
    }),
  };
}

/**
 * The correspondence on the architecture: one row per layer (layer 0 at the bottom), its heads as boxes, then its
 * MLP as a strip of neurons; each component filled with the colour of the node it implements (light grey: no node,
 * the components the strict loss ablates). The legend lists the nodes.
 */
export function correspondenceFigure(program: RaspProgram, config: Pick<TransformerConfig, "nLayers" | "nHeads" | "dMlp">, corr: Correspondence, title = `Correspondence of case ${program.id}`): Figure {
  const colours = nodeColours(program);
  const { nLayers, nHeads, dMlp } = config;
  const mlpX0 = nHeads + 0.4;
  const mlpWidth = Math.max(4, nHeads);
  const neuronW = mlpWidth / dMlp;
  const shapes: Record<string, unknown>[] = [];
  const owner = new Map<string, string>();
  for (const [node, sites] of Object.entries(corr))
    for (const s of sites) for (const i of s.component === "attn" ? s.heads : s.neurons) owner.set(`${s.layer}.${s.component}.${i}`, node);
  const marks = new Map<string, { x: number[]; y: number[]; text: string[] }>();
  const mark = (node: string, x: number, y: number, text: string) => {
    const m = marks.get(node) ?? { x: [], y: [], text: [] };
    m.x.push(x);
    m.y.push(y);
    m.text.push(text);
    marks.set(node, m);
  };
  const rect = (x0: number, x1: number, y: number, fill: string, line: string) => shapes.push({ type: "rect", x0, x1, y0: y - 0.35, y1: y + 0.35, fillcolor: fill, line: { color: line, width: 1 }, layer: "below" });
  const headLabels: { x: number; y: number; text: string }[] = [];
  for (let l = 0; l < nLayers; l++) {
    for (let h = 0; h < nHeads; h++) {
      const node = owner.get(`${l}.attn.${h}`);
      rect(h - 0.42, h + 0.42, l, node ? lightFill(colours[node], 0.35) : UNUSED, node ? colours[node] : GREY);
      headLabels.push({ x: h, y: l, text: `H${h}` });
      if (node) mark(node, h, l, `L${l} H${h} → ${node}`);
    }
    rect(mlpX0, mlpX0 + mlpWidth, l, UNUSED, GREY);
    // runs of consecutive neurons with the same owner, one rectangle each
    let start = 0;
    for (let j = 1; j <= dMlp; j++) {
      const prev = owner.get(`${l}.mlp.${j - 1}`);
      if (j < dMlp && owner.get(`${l}.mlp.${j}`) === prev) continue;
      if (prev) {
        rect(mlpX0 + start * neuronW, mlpX0 + j * neuronW, l, lightFill(colours[prev], 0.35), colours[prev]);
        mark(prev, mlpX0 + ((start + j) / 2) * neuronW, l, `L${l} MLP neurons ${start}–${j - 1} → ${prev}`);
      }
      start = j;
    }
  }
  const data: Record<string, unknown>[] = computedNodes(program)
    .filter((n) => marks.has(n.name))
    .map((n) => {
      const m = marks.get(n.name)!;
      return { type: "scatter", mode: "markers", name: n.name, x: m.x, y: m.y, hovertext: m.text, hoverinfo: "text", marker: { symbol: "square", size: 9, color: colours[n.name] } };
    });
  data.push({ type: "scatter", mode: "text", x: headLabels.map((t) => t.x), y: headLabels.map((t) => t.y + 0.2), text: headLabels.map((t) => t.text), textfont: { size: 10, color: LABEL_TEXT }, hoverinfo: "skip", showlegend: false });
  return {
    data,
    layout: baseLayout(title, {
      shapes,
      xaxis: { tickvals: [...Array.from({ length: nHeads }, (_, h) => h), mlpX0 + mlpWidth / 2], ticktext: [...Array.from({ length: nHeads }, (_, h) => `head ${h}`), `MLP (${dMlp} neurons)`], showgrid: false, zeroline: false, range: [-0.6, mlpX0 + mlpWidth + 0.2] },
      yaxis: { tickvals: Array.from({ length: nLayers }, (_, l) => l), ticktext: Array.from({ length: nLayers }, (_, l) => `layer ${l}`), showgrid: false, zeroline: false, range: [-0.6, nLayers - 0.4] },
      height: 110 * nLayers + 120,
      legend: { title: { text: "high-level node" } },
    }),
  };
}

/**
 * `patterns[layer][head][query][key]` of one row of a transformer run's cache (the `blocks.{l}.attn.hook_pattern`
 * hooks, per-row shape [heads, positions, positions]), for `attentionPatternsFigure`.
 */
export function attentionFromCache(cache: Record<string, { shape: number[]; data: ArrayLike<number> }>, row = 0): number[][][][] {
  const out: number[][][][] = [];
  for (let l = 0; cache[`blocks.${l}.attn.hook_pattern`]; l++) {
    const { shape, data } = cache[`blocks.${l}.attn.hook_pattern`];
    const [rows, H, Q, K] = shape;
    if (shape.length !== 4 || Q !== K) throw new InputError(`attentionFromCache: blocks.${l}.attn.hook_pattern has shape [${shape.join(", ")}]; expected [rows, heads, positions, positions].`);
    if (!(row >= 0 && row < rows)) throw new InputError(`attentionFromCache: row ${row} is out of range; the cache holds rows 0–${rows - 1}.`);
    out.push(Array.from({ length: H }, (_, h) => Array.from({ length: Q }, (_, q) => Array.from({ length: K }, (_, k) => data[((row * H + h) * Q + q) * K + k]))));
  }
  if (out.length === 0) throw new InputError("attentionFromCache: the cache holds no blocks.{l}.attn.hook_pattern; run the model with those hooks in names.");
  return out;
}
