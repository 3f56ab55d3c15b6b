/**
 * Correspondences between a RASP program's nodes and a transformer's components (InterpBench's high-level ↔
 * low-level map), and the transformer sizes InterpBench derives from the program.
 *
 * A node maps to attention heads and/or a slice of MLP neurons. The constant correspondence is tracr's own placement:
 * an attention node gets one head of its layer (heads 0, 1, … in program order), the MLP nodes of a layer share its
 * neurons in equal contiguous slices, and a selector width gets a head and an MLP slice of the same layer. The
 * randomised ones (the paper's "random correspondence" regime) permute the heads within each layer and draw random
 * disjoint neuron subsets, optionally narrower. Every correspondence is validated against the program and the
 * architecture: each computed node mapped, every head, neuron and layer in range, no component shared by two nodes,
 * and a node's components after its inputs' components in the residual stream.
 */
import { InputError } from "../errors";
import { Rng } from "../rng";
import type { TransformerConfig } from "../transformer/types";
import { RaspNode, RaspProgram, computedNodes, programNode, selectorPattern } from "./program";

export type ComponentSite = { layer: number; component: "attn"; heads: number[] } | { layer: number; component: "mlp"; neurons: number[] };
export type Correspondence = Record<string, ComponentSite[]>;

export interface InterpBenchSizeOptions {
  /** Heads per layer (InterpBench: 4). */
  nHeads?: number;
  /** Override the head size (random architectures). */
  dHead?: number;
  /** At least this many blocks (default: the program's layers, and at least 2). */
  nLayers?: number;
  /** Bounds on the derived head size (defaults 2 and 6; docs/transformers.md says why). */
  minDHead?: number;
  maxDHead?: number;
}

/**
 * tracr's key size: the largest side of any head's query–key matrix, i.e. the number of values of the head's query or
 * key variable (a selector width's keys get one more direction, BOS). 0 for a program without attention.
 */
export function tracrKeySize(program: RaspProgram): number {
  let size = 0;
  for (const n of program.nodes) {
    if (n.op.kind !== "aggregate" && n.op.kind !== "selectorWidth") continue;
    const keys = programNode(program, n.op.selector.keys).values.length + (n.op.kind === "selectorWidth" ? 1 : 0);
    const queries = programNode(program, n.op.selector.queries).values.length;
    size = Math.max(size, keys, queries);
  }
  return size;
}

/**
 * InterpBench's sizing rule: 4 heads, d_head = half of tracr's key size (clamped to [minDHead, maxDHead]),
 * d_model = 4·d_head, d_mlp = 4·d_model, at least 2 layers, GELU, no LayerNorm. Positions: BOS and the tokens;
 * input vocabulary: the tokens and BOS; output classes: the output node's values.
 */
export function interpBenchConfig(program: RaspProgram, options: InterpBenchSizeOptions = {}): TransformerConfig {
  const nHeads = options.nHeads ?? 4;
  const minDHead = options.minDHead ?? 2;
  const maxDHead = options.maxDHead ?? 6;
  const nLayers = Math.max(options.nLayers ?? 2, program.nLayers, 2);
  const dHead = options.dHead ?? Math.min(maxDHead, Math.max(minDHead, Math.floor(tracrKeySize(program) / 2)));
  for (const [k, v] of Object.entries({ nHeads, dHead, nLayers, minDHead })) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`interpBenchConfig: ${k} must be a positive integer, got ${v}.`);
  }
  const dModel = 4 * dHead;
  return {
    nLayers,
    dModel,
    nHeads,
    dHead,
    dMlp: 4 * dModel,
    nCtx: program.length + 1,
    dVocab: program.bos + 1,
    dVocabOut: program.outputValues.length,
    act: "gelu",
    layerNorm: false,
  };
}

/**
 * A random architecture around InterpBench's size (the paper's "random architecture" regime): head size drawn from
 * [d_head − 1, d_head + 2] (at least 1) and zero or one extra block.
 */
export function randomArchitecture(program: RaspProgram, rng: Rng, options: InterpBenchSizeOptions = {}): TransformerConfig {
  const base = interpBenchConfig(program, options);
  const dHead = Math.max(1, base.dHead - 1 + rng.int(4));
  return interpBenchConfig(program, { ...options, dHead, nLayers: base.nLayers + rng.int(2) });
}

/** Attention nodes and MLP users (maps, sequence maps, selector widths) of each layer, in program order. */
function perLayer(program: RaspProgram): { attn: RaspNode[]; mlp: RaspNode[] }[] {
  const layers = Array.from({ length: program.nLayers }, () => ({ attn: [] as RaspNode[], mlp: [] as RaspNode[] }));
  for (const n of computedNodes(program)) {
    if (n.component === "attn") layers[n.layer].attn.push(n);
    if (n.usesMlp) layers[n.layer].mlp.push(n);
  }
  return layers;
}

function checkFits(program: RaspProgram, config: TransformerConfig): void {
  if (config.nLayers < program.nLayers) throw new InputError(`program ${program.id} needs ${program.nLayers} layers; the config has nLayers ${config.nLayers}.`);
  perLayer(program).forEach(({ attn, mlp }, l) => {
    if (attn.length > config.nHeads) throw new InputError(`program ${program.id} has ${attn.length} attention nodes in layer ${l}; the config has only nHeads ${config.nHeads}.`);
    if (mlp.length > config.dMlp) throw new InputError(`program ${program.id} has ${mlp.length} MLP nodes in layer ${l}; the config has only dMlp ${config.dMlp}.`);
  });
}

const addSite = (c: Correspondence, node: string, site: ComponentSite) => (c[node] ??= []).push(site);
const contiguous = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** tracr's placement: heads 0, 1, … per layer in program order; a layer's MLP split in equal contiguous slices. */
export function constantCorrespondence(program: RaspProgram, config: TransformerConfig): Correspondence {
  checkFits(program, config);
  const corr: Correspondence = {};
  perLayer(program).forEach(({ attn, mlp }, layer) => {
    attn.forEach((n, h) => addSite(corr, n.name, { layer, component: "attn", heads: [h] }));
    mlp.forEach((n, j) => addSite(corr, n.name, { layer, component: "mlp", neurons: contiguous(Math.floor((j * config.dMlp) / mlp.length), Math.floor(((j + 1) * config.dMlp) / mlp.length)) }));
  });
  return validateCorrespondence(program, config, corr);
}

export interface RandomCorrespondenceOptions {
  /** Heads drawn by a random permutation within each layer (default true). */
  permuteHeads?: boolean;
  /** Neurons drawn at random (disjoint) instead of contiguous slices (default true). */
  randomNeurons?: boolean;
  /** Share of a layer's neurons given to its MLP nodes together, in (0, 1] (default 1): a narrower slice each. */
  neuronShare?: number;
}

/** A randomised correspondence (same layers as tracr's, other heads and neurons); seeded by `rng`. */
export function randomCorrespondence(program: RaspProgram, config: TransformerConfig, rng: Rng, options: RandomCorrespondenceOptions = {}): Correspondence {
  const { permuteHeads = true, randomNeurons = true, neuronShare = 1 } = options;
  if (!(neuronShare > 0 && neuronShare <= 1)) throw new InputError(`randomCorrespondence: neuronShare must be in (0, 1], got ${neuronShare}.`);
  checkFits(program, config);
  const corr: Correspondence = {};
  perLayer(program).forEach(({ attn, mlp }, layer) => {
    const heads = permuteHeads ? Array.from(rng.permutation(config.nHeads)) : contiguous(0, config.nHeads);
    attn.forEach((n, j) => addSite(corr, n.name, { layer, component: "attn", heads: [heads[j]] }));
    if (mlp.length === 0) return;
    const order = randomNeurons ? Array.from(rng.permutation(config.dMlp)) : contiguous(0, config.dMlp);
    const each = Math.max(1, Math.floor((neuronShare * config.dMlp) / mlp.length));
    mlp.forEach((n, j) => addSite(corr, n.name, { layer, component: "mlp", neurons: order.slice(j * each, (j + 1) * each).sort((a, b) => a - b) }));
  });
  return validateCorrespondence(program, config, corr);
}

/** Sublayer of a site in the residual stream: attn of layer l is 2l, its MLP 2l + 1. */
const sublayer = (s: ComponentSite) => 2 * s.layer + (s.component === "mlp" ? 1 : 0);

const ints = (xs: unknown): xs is number[] => Array.isArray(xs) && xs.length > 0 && xs.every((x) => Number.isInteger(x));

/**
 * Checks a correspondence and returns it: every computed node of the program mapped (and no other name), every
 * layer, head and neuron in range, no head or neuron given to two nodes, and every node's first component after the
 * last component of each of its computed inputs. The error names the node, the site and the fix.
 */
export function validateCorrespondence(program: RaspProgram, config: TransformerConfig, corr: Correspondence): Correspondence {
  if (!corr || typeof corr !== "object") throw new InputError(`correspondence: expected an object { node: sites[] }, got ${JSON.stringify(corr)}.`);
  const computed = computedNodes(program);
  for (const name of Object.keys(corr)) {
    const node = program.nodes.find((n) => n.name === name);
    if (!node) throw new InputError(`correspondence names "${name}", which is not a node of program ${program.id} (${computed.map((n) => n.name).join(", ")}).`);
    if (node.component === "input") throw new InputError(`correspondence maps the input "${name}"; only computed nodes are mapped (the inputs are the embeddings).`);
  }
  const owner = new Map<string, string>();
  for (const node of computed) {
    const sites = corr[node.name];
    if (!Array.isArray(sites) || sites.length === 0) throw new InputError(`correspondence for program ${program.id} is missing node "${node.name}": give it at least one site (a head or MLP neurons).`);
    sites.forEach((s, i) => {
      const where = `correspondence["${node.name}"][${i}]`;
      if (!s || !Number.isInteger(s.layer) || s.layer < 0 || s.layer >= config.nLayers) throw new InputError(`${where}: layer ${s?.layer} is out of range; the model has layers 0–${config.nLayers - 1}.`);
      if (s.component === "attn") {
        if (!ints(s.heads)) throw new InputError(`${where}: heads must be a non-empty list of head indices, got ${JSON.stringify(s.heads)}.`);
        for (const h of s.heads) {
          if (h < 0 || h >= config.nHeads) throw new InputError(`${where}: head ${h} is out of range; layer ${s.layer} has heads 0–${config.nHeads - 1}.`);
          claim(owner, `layer ${s.layer} head ${h}`, node.name);
        }
      } else if (s.component === "mlp") {
        if (!ints(s.neurons)) throw new InputError(`${where}: neurons must be a non-empty list of neuron indices, got ${JSON.stringify(s.neurons)}.`);
        for (const j of s.neurons) {
          if (j < 0 || j >= config.dMlp) throw new InputError(`${where}: neuron ${j} is out of range; the MLP of layer ${s.layer} has neurons 0–${config.dMlp - 1}.`);
          claim(owner, `layer ${s.layer} neuron ${j}`, node.name);
        }
      } else {
        throw new InputError(`${where}: component must be "attn" or "mlp", got ${JSON.stringify((s as { component?: unknown }).component)}.`);
      }
    });
  }
  for (const node of computed) {
    const first = Math.min(...corr[node.name].map(sublayer));
    for (const input of node.inputs) {
      if (!corr[input]) continue; // tokens and indices: the embeddings, before every block
      const last = Math.max(...corr[input].map(sublayer));
      if (first <= last) throw new InputError(`correspondence: node "${node.name}" starts at layer ${Math.floor(first / 2)} ${first % 2 ? "mlp" : "attn"}, not after its input "${input}" (which ends at layer ${Math.floor(last / 2)} ${last % 2 ? "mlp" : "attn"}); a node must read values already written to the residual stream.`);
    }
  }
  return corr;
}

function claim(owner: Map<string, string>, component: string, node: string): void {
  const prev = owner.get(component);
  if (prev !== undefined && prev !== node) throw new InputError(`correspondence maps ${component} to both "${prev}" and "${node}"; each component implements one node.`);
  if (prev === node) throw new InputError(`correspondence lists ${component} twice for "${node}".`);
  owner.set(component, node);
}

/** Heads and neurons the correspondence leaves to no node, per layer (the strict loss ablates these). */
export function unmappedComponents(config: TransformerConfig, corr: Correspondence): { layer: number; heads: number[]; neurons: number[] }[] {
  return Array.from({ length: config.nLayers }, (_, layer) => {
    const sites = Object.values(corr).flat().filter((s) => s.layer === layer);
    const heads = new Set(sites.flatMap((s) => (s.component === "attn" ? s.heads : [])));
    const neurons = new Set(sites.flatMap((s) => (s.component === "mlp" ? s.neurons : [])));
    return { layer, heads: contiguous(0, config.nHeads).filter((h) => !heads.has(h)), neurons: contiguous(0, config.dMlp).filter((j) => !neurons.has(j)) };
  });
}

/**
 * The attention patterns a tracr-compiled model would show on `tokens`, placed on the heads of a correspondence:
 * `[layer][head][query][key]` over BOS and the tokens. An aggregate attends uniformly to its selected keys (to BOS
 * when none is selected); a selector width attends to BOS and its selected keys alike, so BOS gets 1/(width + 1)
 * (what the MLP after it decodes); BOS as a query, and every head that implements no node, attend to BOS only.
 */
export function programAttention(program: RaspProgram, config: Pick<TransformerConfig, "nLayers" | "nHeads">, corr: Correspondence, tokens: readonly number[]): number[][][][] {
  const L = program.length + 1;
  const bosOnly = (): number[][] => Array.from({ length: L }, () => Array.from({ length: L }, (_, k) => (k === 0 ? 1 : 0)));
  const out = Array.from({ length: config.nLayers }, () => Array.from({ length: config.nHeads }, bosOnly));
  for (const node of computedNodes(program)) {
    if (node.op.kind !== "aggregate" && node.op.kind !== "selectorWidth") continue;
    const sel = selectorPattern(program, node.name, tokens);
    const width = node.op.kind === "selectorWidth";
    const pattern = bosOnly();
    for (let q = 1; q < L; q++) {
      const row = [width ? 1 : 0, ...sel[q - 1]];
      const total = row.reduce((a, b) => a + b, 0);
      pattern[q] = total === 0 ? row.map((_, k) => (k === 0 ? 1 : 0)) : row.map((x) => x / total);
    }
    for (const s of corr[node.name] ?? []) if (s.component === "attn") for (const h of s.heads) out[s.layer][h] = pattern.map((r) => [...r]);
  }
  return out;
}
