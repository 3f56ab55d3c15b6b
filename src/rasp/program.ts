/**
 * RASP-lite: the high-level causal models that tiny transformers are trained to implement (InterpBench / tracr).
 *
 * A program is a list of named nodes over two inputs, `tokens` and `indices`. Each node is one of tracr's primitives:
 * - `map(f, x)` and `sequenceMap(f, x, y)`: position-wise functions, compiled by tracr into MLPs;
 * - `aggregate(select(keys, queries, predicate), source)`: each query position takes the source value at the selected
 *   key position (categorical: the first selected key; none selected gives 0), an attention head;
 * - `selectorWidth(select(...))`: how many keys each query selects, an attention head followed by an MLP in the same
 *   layer (tracr reads the count off the attention paid to BOS and decodes it with that MLP).
 * Selectors are not nodes: they are the attention pattern of the node that uses them. Predicates are applied as
 * `predicate(key, query)`, as in tracr.
 *
 * Layers are assigned as tracr assigns them, by the longest path from the inputs (docs/transformers.md): the blocks
 * are a sequence of sublayers attn 0, mlp 0, attn 1, mlp 1, …; a node goes to the first sublayer of its kind after
 * every input's value is ready (a selector width's value is ready after its MLP).
 *
 * `runProgram` evaluates every node per position and accepts interventions on any node (the value is replaced and
 * exactly its descendants are recomputed), which makes the program the high-level model of interchange interventions.
 */
import { InputError } from "../errors";
import { Rng } from "../rng";

export type NodeKind = "tokens" | "indices" | "map" | "sequenceMap" | "aggregate" | "selectorWidth";
export type NodeComponent = "input" | "attn" | "mlp";

/** A two-place predicate of a selector, applied as `test(key, query)`; `text` is how it is drawn. */
export interface Predicate {
  text: string;
  test: (key: number, query: number) => boolean;
}

/** tracr's comparisons (`key < query` for LT, …). */
export const Comparison = {
  EQ: { text: "key == query", test: (k: number, q: number) => k === q },
  NEQ: { text: "key != query", test: (k: number, q: number) => k !== q },
  LT: { text: "key < query", test: (k: number, q: number) => k < q },
  LEQ: { text: "key <= query", test: (k: number, q: number) => k <= q },
  GT: { text: "key > query", test: (k: number, q: number) => k > q },
  GEQ: { text: "key >= query", test: (k: number, q: number) => k >= q },
  TRUE: { text: "true", test: () => true },
} satisfies Record<string, Predicate>;

/** Which key positions each query position attends to. */
export interface Selector {
  keys: string;
  queries: string;
  predicate: Predicate;
}

/** How a node computes its value (functions: a program is code, its graph is plain data). */
export type NodeOp =
  | { kind: "tokens" }
  | { kind: "indices" }
  | { kind: "map"; input: string; f: (x: number) => number }
  | { kind: "sequenceMap"; inputs: [string, string]; f: (x: number, y: number) => number }
  | { kind: "aggregate"; selector: Selector; source: string }
  | { kind: "selectorWidth"; selector: Selector };

/** A node as written in a program, before layers and value sets are assigned. */
export interface NodeSpec {
  name: string;
  /** What it computes, in a few symbols ("x + i"), for figures and tables. */
  label: string;
  op: NodeOp;
}

export interface RaspNode {
  name: string;
  kind: NodeKind;
  /** Block index (0-based); the inputs are at layer -1 (the embeddings). */
  layer: number;
  component: NodeComponent;
  /** Nodes it reads: a map's argument(s); an attention node's selector keys and queries, then its source. */
  inputs: string[];
  /** The finite set of values it can take (sorted), propagated through the ops as tracr does. */
  values: number[];
  /** A selector width also uses the MLP of its layer (tracr); maps and sequence maps are MLPs. */
  usesMlp: boolean;
  label: string;
  op: NodeOp;
}

export interface RaspProgram {
  /** InterpBench case number ("59"). */
  id: string;
  name: string;
  /** Input tokens (also their ids); the BOS id is `bos`, after them. */
  vocab: number[];
  bos: number;
  /** Tokens after BOS: every input has exactly this many. */
  length: number;
  /** Topological order, the two inputs first. */
  nodes: RaspNode[];
  output: string;
  /** The output node's values: class c of the transformer's output means `outputValues[c]`. */
  outputValues: number[];
  /** Blocks the program needs (highest node layer + 1). */
  nLayers: number;
}

export interface ProgramRun {
  /** Every node's value per position. */
  values: Record<string, number[]>;
  output: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

export const select = (keys: string, queries: string, predicate: Predicate): Selector => ({ keys, queries, predicate });
export const map = (name: string, label: string, f: (x: number) => number, input: string): NodeSpec => ({ name, label, op: { kind: "map", input, f } });
export const sequenceMap = (name: string, label: string, f: (x: number, y: number) => number, x: string, y: string): NodeSpec => ({
  name,
  label,
  op: { kind: "sequenceMap", inputs: [x, y], f },
});
export const aggregate = (name: string, label: string, selector: Selector, source: string): NodeSpec => ({ name, label, op: { kind: "aggregate", selector, source } });
export const selectorWidth = (name: string, label: string, selector: Selector): NodeSpec => ({ name, label, op: { kind: "selectorWidth", selector } });

const opInputs = (op: NodeOp): string[] => {
  switch (op.kind) {
    case "tokens":
    case "indices":
      return [];
    case "map":
      return [op.input];
    case "sequenceMap":
      return [...op.inputs];
    case "aggregate":
      return [...new Set([op.selector.keys, op.selector.queries, op.source])];
    case "selectorWidth":
      return [...new Set([op.selector.keys, op.selector.queries])];
  }
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sortedUnique = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);

/**
 * Builds a program: checks the nodes (unique names, inputs defined before use), assigns layers and components as
 * tracr does and propagates the value sets.
 */
export function raspProgram(
  meta: { id: string; name: string; vocab: number[]; length: number },
  specs: NodeSpec[],
  output: string,
): RaspProgram {
  const { id, name, vocab, length } = meta;
  if (!Array.isArray(vocab) || vocab.length === 0 || vocab.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new InputError(`raspProgram ${id}: vocab must be non-negative integer token ids, got ${JSON.stringify(vocab)}.`);
  }
  if (!Number.isInteger(length) || length < 2) throw new InputError(`raspProgram ${id}: length must be an integer ≥ 2, got ${length}.`);
  const inputs: NodeSpec[] = [
    { name: "tokens", label: "tokens", op: { kind: "tokens" } },
    { name: "indices", label: "indices", op: { kind: "indices" } },
  ];
  const byName = new Map<string, RaspNode>();
  // Sublayer after which a node's value is available in the residual stream (inputs: -1).
  const ready = new Map<string, number>();
  const nodes: RaspNode[] = [];
  for (const spec of [...inputs, ...specs]) {
    if (byName.has(spec.name)) throw new InputError(`raspProgram ${id}: two nodes are named "${spec.name}"; node names must be unique.`);
    const ins = opInputs(spec.op);
    for (const i of ins) if (!byName.has(i)) throw new InputError(`raspProgram ${id}: node "${spec.name}" reads "${i}", which is not defined before it.`);
    const vals = (n: string) => byName.get(n)!.values;
    const after = Math.max(-1, ...ins.map((i) => ready.get(i)!));
    let values: number[];
    let sublayer: number;
    let component: NodeComponent;
    switch (spec.op.kind) {
      case "tokens":
        values = sortedUnique(vocab);
        sublayer = -1;
        component = "input";
        break;
      case "indices":
        values = range(length);
        sublayer = -1;
        component = "input";
        break;
      case "map": {
        const f = spec.op.f;
        values = sortedUnique(vals(spec.op.input).map((x) => f(x)));
        sublayer = nextSublayer(after, "mlp");
        component = "mlp";
        break;
      }
      case "sequenceMap": {
        const f = spec.op.f;
        const [a, b] = spec.op.inputs.map(vals);
        values = sortedUnique(a.flatMap((x) => b.map((y) => f(x, y))));
        sublayer = nextSublayer(after, "mlp");
        component = "mlp";
        break;
      }
      case "aggregate":
        values = sortedUnique([...vals(spec.op.source), AGGREGATE_DEFAULT]);
        sublayer = nextSublayer(after, "attn");
        component = "attn";
        break;
      case "selectorWidth":
        values = range(length + 1);
        sublayer = nextSublayer(after, "attn");
        component = "attn";
        break;
    }
    if (values.some((v) => !Number.isFinite(v))) throw new InputError(`raspProgram ${id}: node "${spec.name}" takes a non-finite value; its function must return finite numbers.`);
    const usesMlp = spec.op.kind === "map" || spec.op.kind === "sequenceMap" || spec.op.kind === "selectorWidth";
    const node: RaspNode = { name: spec.name, kind: spec.op.kind, layer: sublayer < 0 ? -1 : Math.floor(sublayer / 2), component, inputs: ins, values, usesMlp, label: spec.label, op: spec.op };
    ready.set(spec.name, spec.op.kind === "selectorWidth" ? sublayer + 1 : sublayer);
    byName.set(spec.name, node);
    nodes.push(node);
  }
  const out = byName.get(output);
  if (!out || out.component === "input") throw new InputError(`raspProgram ${id}: output "${output}" must name one of the program's computed nodes.`);
  const nLayers = Math.max(...nodes.map((n) => n.layer)) + 1;
  return { id, name, vocab: sortedUnique(vocab), bos: Math.max(...vocab) + 1, length, nodes, output, outputValues: out.values, nLayers };
}

/** A categorical aggregate whose selector selects no key gives this value (tracr's zero vector, decoded as 0). */
export const AGGREGATE_DEFAULT = 0;

/** First sublayer of a kind (attn: even, mlp: odd) strictly after `after`. */
function nextSublayer(after: number, kind: "attn" | "mlp"): number {
  let s = after + 1;
  if ((kind === "attn") !== (s % 2 === 0)) s++;
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Running

/** Looks a node up by name; the error lists the program's nodes. */
export function programNode(program: RaspProgram, name: string): RaspNode {
  const node = program.nodes.find((n) => n.name === name);
  if (!node) throw new InputError(`program ${program.id} has no node "${name}"; its nodes are ${program.nodes.map((n) => n.name).join(", ")}.`);
  return node;
}

/** The program's computed nodes (every node but `tokens` and `indices`): the ones a correspondence maps. */
export function computedNodes(program: RaspProgram): RaspNode[] {
  return program.nodes.filter((n) => n.component !== "input");
}

function checkTokens(program: RaspProgram, tokens: ArrayLike<number>): void {
  if (!tokens || tokens.length !== program.length) {
    throw new InputError(`program ${program.id}: expected ${program.length} tokens (BOS excluded), got ${tokens?.length ?? tokens}.`);
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!program.vocab.includes(tokens[i])) throw new InputError(`program ${program.id}: token ${tokens[i]} at position ${i} is not in the vocabulary ${JSON.stringify(program.vocab)}.`);
  }
}

/**
 * Runs the program on `tokens` (BOS excluded). `interventions` replaces nodes' values (one per position, each in the
 * node's value set); every node is then computed from its inputs' possibly intervened values, so exactly the
 * descendants of the intervened nodes change.
 */
export function runProgram(program: RaspProgram, tokens: ArrayLike<number>, interventions: Record<string, ArrayLike<number>> = {}): ProgramRun {
  checkTokens(program, tokens);
  const L = program.length;
  for (const [name, vals] of Object.entries(interventions)) {
    const node = programNode(program, name);
    if (!vals || vals.length !== L) throw new InputError(`intervention on "${name}": expected ${L} values (one per position), got ${vals?.length ?? vals}.`);
    for (let i = 0; i < L; i++) {
      if (!node.values.includes(vals[i])) throw new InputError(`intervention on "${name}": value ${vals[i]} at position ${i} is not one of the node's values ${JSON.stringify(node.values)}.`);
    }
  }
  const values: Record<string, number[]> = {};
  for (const node of program.nodes) {
    const set = interventions[node.name];
    values[node.name] = set ? Array.from(set) : evaluateNode(node.op, values, tokens, L);
  }
  return { values, output: values[program.output] };
}

function selectorMatrix(sel: Selector, values: Record<string, number[]>, L: number): boolean[][] {
  const keys = values[sel.keys];
  const queries = values[sel.queries];
  return range(L).map((q) => range(L).map((k) => sel.predicate.test(keys[k], queries[q])));
}

function evaluateNode(op: NodeOp, values: Record<string, number[]>, tokens: ArrayLike<number>, L: number): number[] {
  switch (op.kind) {
    case "tokens":
      return Array.from(tokens);
    case "indices":
      return range(L);
    case "map":
      return values[op.input].map((x) => op.f(x));
    case "sequenceMap": {
      const [a, b] = op.inputs.map((n) => values[n]);
      return a.map((x, i) => op.f(x, b[i]));
    }
    case "aggregate": {
      const src = values[op.source];
      return selectorMatrix(op.selector, values, L).map((row) => {
        const k = row.indexOf(true);
        return k < 0 ? AGGREGATE_DEFAULT : src[k];
      });
    }
    case "selectorWidth":
      return selectorMatrix(op.selector, values, L).map((row) => row.filter(Boolean).length);
  }
}

/** The selector pattern of an attention node on an input ([query][key], 1 where selected), for drawing next to heads. */
export function selectorPattern(program: RaspProgram, nodeName: string, tokens: ArrayLike<number>): number[][] {
  const node = programNode(program, nodeName);
  if (node.op.kind !== "aggregate" && node.op.kind !== "selectorWidth") throw new InputError(`node "${nodeName}" is a ${node.kind}; only aggregate and selectorWidth nodes have a selector.`);
  const run = runProgram(program, tokens);
  return selectorMatrix(node.op.selector, run.values, program.length).map((row) => row.map((b) => (b ? 1 : 0)));
}

/** The output as class indices into `outputValues` (the labels of the transformer's positions after BOS). */
export function programLabels(program: RaspProgram, output: readonly number[]): number[] {
  return output.map((v, i) => {
    const c = program.outputValues.indexOf(v);
    if (c < 0) throw new InputError(`program ${program.id}: output value ${v} at position ${i} is not one of outputValues ${JSON.stringify(program.outputValues)}.`);
    return c;
  });
}

/** The transformer's input: BOS then the tokens. */
export function withBos(program: RaspProgram, tokens: ArrayLike<number>): number[] {
  checkTokens(program, tokens);
  return [program.bos, ...Array.from(tokens)];
}

/** Every input of the program (|vocab|^length sequences, in lexicographic order); refused above `limit`. */
export function allInputs(program: RaspProgram, limit = 1_000_000): number[][] {
  const V = program.vocab.length;
  const count = V ** program.length;
  if (count > limit) throw new InputError(`allInputs(${program.id}): ${count} inputs exceed the limit ${limit}; sample with sampleInputs instead or raise the limit.`);
  const out: number[][] = [];
  for (let code = 0; code < count; code++) {
    const seq = new Array<number>(program.length);
    let c = code;
    for (let i = program.length - 1; i >= 0; i--) {
      seq[i] = program.vocab[c % V];
      c = Math.floor(c / V);
    }
    out.push(seq);
  }
  return out;
}

/**
 * `count` inputs drawn uniformly, except for the cases whose positive answers are rare (124 all equal, 125
 * alternating parity): half of those are drawn positive, as InterpBench's data generators do (docs/transformers.md).
 */
export function sampleInputs(program: RaspProgram, count: number, rng: Rng): number[][] {
  if (!Number.isInteger(count) || count < 0) throw new InputError(`sampleInputs: count must be a non-negative integer, got ${count}.`);
  const V = program.vocab;
  const uniform = () => Array.from({ length: program.length }, () => V[rng.int(V.length)]);
  const positive = BALANCED_POSITIVES[program.id];
  return range(count).map((i) => (positive && i % 2 === 0 ? positive(program, rng) : uniform()));
}

const BALANCED_POSITIVES: Partial<Record<string, (p: RaspProgram, rng: Rng) => number[]>> = {
  // every token equal
  "124": (p, rng) => new Array<number>(p.length).fill(p.vocab[rng.int(p.vocab.length)]),
  // parities alternate, starting with either parity
  "125": (p, rng) => {
    const byParity = [p.vocab.filter((v) => v % 2 === 0), p.vocab.filter((v) => v % 2 === 1)];
    const start = rng.int(2);
    return range(p.length).map((i) => {
      const pool = byParity[(start + i) % 2];
      return pool[rng.int(pool.length)];
    });
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Graph

export interface ProgramGraph {
  nodes: { name: string; kind: NodeKind; layer: number; component: NodeComponent; label: string; nValues: number; output: boolean }[];
  /** `role`: what the edge feeds (a map's argument, a selector's keys or queries, an aggregate's source). */
  edges: { from: string; to: string; role: "arg" | "keys" | "queries" | "source" }[];
}

/** The program as plain nodes and edges, for drawing. */
export function programGraph(program: RaspProgram): ProgramGraph {
  const nodes = program.nodes.map((n) => ({ name: n.name, kind: n.kind, layer: n.layer, component: n.component, label: n.label, nValues: n.values.length, output: n.name === program.output }));
  const edges: ProgramGraph["edges"] = [];
  for (const n of program.nodes) {
    const op = n.op;
    if (op.kind === "map") edges.push({ from: op.input, to: n.name, role: "arg" });
    else if (op.kind === "sequenceMap") for (const i of new Set(op.inputs)) edges.push({ from: i, to: n.name, role: "arg" });
    else if (op.kind === "aggregate" || op.kind === "selectorWidth") {
      edges.push({ from: op.selector.keys, to: n.name, role: "keys" });
      if (op.selector.queries !== op.selector.keys) edges.push({ from: op.selector.queries, to: n.name, role: "queries" });
      if (op.kind === "aggregate" && op.source !== op.selector.keys && op.source !== op.selector.queries) edges.push({ from: op.source, to: n.name, role: "source" });
    }
  }
  return { nodes, edges };
}

/** Every node downstream of `name` (excluding it), from the edges. */
export function descendants(program: RaspProgram, name: string): Set<string> {
  programNode(program, name);
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of program.nodes) {
      if (out.has(n.name)) continue;
      if (n.inputs.some((i) => i === name || out.has(i))) {
        out.add(n.name);
        grew = true;
      }
    }
  }
  return out;
}
