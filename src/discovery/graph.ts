/**
 * The computational graph the discovery methods search: the same nodes and edges as the exhaustive circuit search
 * (SPEC 4.1–4.2), one edge per weight. Edge e of weight matrix i joins unit j of activation layer i to unit o of
 * layer i+1; edges are numbered layer by layer in the row-major order of `edgeMasks[i]` (o * in + j), so an edge set
 * is a flat Uint8Array over all weights. A method's edge set becomes a candidate circuit by `edgesToCircuit`, which
 * drops dangling edges the way the enumeration forbids them (SPEC 4.3: no active neuron without an incoming and an
 * outgoing edge).
 */
import { CircuitMasks, MLP, neuronName } from "../model";
import { InputError } from "../errors";

export interface Edge {
  /** Flat position among all edges. */
  id: number;
  /** Weight matrix: the edge reads activation layer `layer` and writes layer `layer + 1`. */
  layer: number;
  /** Source unit in layer `layer`. */
  from: number;
  /** Target unit in layer `layer + 1`. */
  to: number;
  /** Position in weights[layer] / edgeMasks[layer] (to * in + from). */
  at: number;
}

export interface DiscoveryGraph {
  layerSizes: number[];
  edges: Edge[];
  /** First edge id of each weight matrix (length L + 1; the last entry is the edge count). */
  offsets: number[];
}

/** The edge graph of an MLP (every weight an edge). */
export function discoveryGraph(model: MLP): DiscoveryGraph {
  const sizes = model.layerSizes;
  const edges: Edge[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    offsets.push(edges.length);
    for (let o = 0; o < sizes[i + 1]; o++) for (let j = 0; j < sizes[i]; j++) edges.push({ id: edges.length, layer: i, from: j, to: o, at: o * sizes[i] + j });
  }
  offsets.push(edges.length);
  return { layerSizes: [...sizes], edges, offsets };
}

/** "L0.1→L1.2". */
export function edgeName(e: Edge): string {
  return `${neuronName(e.layer, e.from)}→${neuronName(e.layer + 1, e.to)}`;
}

/** The flat edge set of a circuit's edge masks. */
export function circuitEdges(g: DiscoveryGraph, c: CircuitMasks): Uint8Array {
  const kept = new Uint8Array(g.edges.length);
  for (const e of g.edges) kept[e.id] = c.edgeMasks[e.layer][e.at] ? 1 : 0;
  return kept;
}

/** Edge masks of a flat edge set, every node on (the masks an ablated run uses while a method searches). */
export function edgeSetMasks(g: DiscoveryGraph, kept: Uint8Array): CircuitMasks {
  checkEdgeSet(g, kept);
  const sizes = g.layerSizes;
  return {
    nodeMasks: sizes.map((s) => new Uint8Array(s).fill(1)),
    edgeMasks: sizes.slice(1).map((s, i) => kept.slice(g.offsets[i], g.offsets[i] + s * sizes[i])),
  };
}

function checkEdgeSet(g: DiscoveryGraph, kept: Uint8Array): void {
  if (!(kept instanceof Uint8Array) || kept.length !== g.edges.length)
    throw new InputError(`edge set: expected a Uint8Array of ${g.edges.length} flags (one per weight of [${g.layerSizes.join(",")}]), got ${kept?.length}.`);
}

/**
 * The circuit an edge set stands for: hidden neurons without an incoming or an outgoing edge are removed with their
 * remaining edges (repeatedly, so removal propagates), hidden node masks mark the neurons left, inputs and outputs
 * stay on. A dangling neuron would otherwise feed LeakyReLU(bias) forward, which no enumerated circuit does.
 */
export function edgesToCircuit(g: DiscoveryGraph, kept: Uint8Array): CircuitMasks {
  checkEdgeSet(g, kept);
  const sizes = g.layerSizes;
  const L = sizes.length - 1;
  const on = kept.slice();
  const alive = sizes.map((s) => new Uint8Array(s).fill(1));
  for (let changed = true; changed; ) {
    changed = false;
    for (let l = 1; l < L; l++)
      for (let j = 0; j < sizes[l]; j++) {
        if (!alive[l][j]) continue;
        let hasIn = false;
        let hasOut = false;
        for (let p = 0; p < sizes[l - 1] && !hasIn; p++) hasIn = on[g.offsets[l - 1] + j * sizes[l - 1] + p] === 1;
        for (let o = 0; o < sizes[l + 1] && !hasOut; o++) hasOut = on[g.offsets[l] + o * sizes[l] + j] === 1;
        if (hasIn && hasOut) continue;
        alive[l][j] = 0;
        changed = true;
        for (let p = 0; p < sizes[l - 1]; p++) on[g.offsets[l - 1] + j * sizes[l - 1] + p] = 0;
        for (let o = 0; o < sizes[l + 1]; o++) on[g.offsets[l] + o * sizes[l] + j] = 0;
      }
  }
  return { nodeMasks: alive, edgeMasks: sizes.slice(1).map((s, i) => on.slice(g.offsets[i], g.offsets[i] + s * sizes[i])) };
}

/** Every edge between kept nodes (inputs and outputs always kept): how a node mask becomes an edge set. */
export function nodesToEdges(g: DiscoveryGraph, nodeMasks: readonly Uint8Array[]): Uint8Array {
  const kept = new Uint8Array(g.edges.length);
  for (const e of g.edges) kept[e.id] = nodeMasks[e.layer][e.from] && nodeMasks[e.layer + 1][e.to] ? 1 : 0;
  return kept;
}

/** Number of active edges of a circuit. */
export function edgeCount(c: CircuitMasks): number {
  return c.edgeMasks.reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0);
}

/** A circuit's identity: its node and edge masks as one string (equal circuits, equal keys). */
export function circuitMasksKey(c: CircuitMasks): string {
  return c.nodeMasks.map((m) => m.join("")).join("|") + "/" + c.edgeMasks.map((m) => m.join("")).join("|");
}
