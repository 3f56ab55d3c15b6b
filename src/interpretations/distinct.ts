/**
 * Distinct interpretations: gate-label assignments instead of groundings. The reference counts every grounding, so one
 * assignment of gate names to neurons counts again for each threshold choice and each completion of unseen parent rows
 * that yields it (SPEC 14.6). Here an interpretation of a circuit is its label dict: retained neuron `L{l}.{j}` → gate
 * name (the dict the reference's grounding builds). Counted exactly without listing groundings or label dicts.
 */
import { neuronName } from "../model";
import { GroundingProblem } from "./problem";
import { MAX_GROUNDING_STATES } from "./count";
import { gateName, inputTable, localSkeleton, sortedKeyOrder } from "./local";

/** A gate-label assignment of one circuit and the number of its groundings that give it. */
export interface DistinctInterpretation {
  /** Retained neuron (`L1.0`, …, the output `L3.0`) → gate name of its local table. */
  labels: Record<string, string>;
  /** Groundings (threshold choices and local-table completions) with exactly these labels. */
  count: number;
}

/** A label dict pooled over circuits: groundings summed over the circuits that give it, and how many circuits do. */
export interface PooledInterpretation extends DistinctInterpretation {
  circuits: number;
}

/** One admissible choice of a node given its parents' cuts: its cut, its gate name, and how many local tables give both. */
interface Choice {
  cut: number;
  gate: string;
  /** The gate's number in GATE_IDS, so that a layer's gate tuple packs into one number. */
  gateId: number;
  count: number;
}

// Gate names seen so far, numbered from 1: a layer's tuple of gate ids is a mixed-radix number in base GATE_BASE.
const GATE_IDS = new Map<string, number>();
const GATE_BASE = 64;
function gateId(gate: string): number {
  let id = GATE_IDS.get(gate);
  if (id === undefined) GATE_IDS.set(gate, (id = GATE_IDS.size + 1));
  return id;
}
/**
 * A layer's gate tuple as one number when it packs exactly (at most 8 gates, every id below GATE_BASE), else as a
 * string. A given tuple always gets the same form, and the two forms never meet as Map keys.
 */
function tupleKey(picked: readonly Choice[]): number | string {
  let key = 0;
  for (const c of picked) {
    if (picked.length > 8 || c.gateId >= GATE_BASE) return picked.map((x) => x.gate).join(SEP);
    key = key * GATE_BASE + c.gateId;
  }
  return key;
}

/** A problem's layers as mixed-radix cut states (as in countGroundings) and each node's choices per parents' cuts. */
class LayeredChoices {
  readonly groups: number[][] = [];
  private readonly nCuts: number[];
  private readonly weight: Float64Array;
  private readonly keyOrder: number[];
  private readonly cache: Map<number, Choice[]>[];

  constructor(private readonly problem: GroundingProblem) {
    const { nodes } = problem;
    for (let i = 0; i < nodes.length; i++) {
      if (i === 0 || nodes[i].layer !== nodes[i - 1].layer) this.groups.push([]);
      this.groups[this.groups.length - 1].push(i);
    }
    this.nCuts = nodes.map((n) => n.cuts.length);
    this.weight = new Float64Array(nodes.length);
    for (const group of this.groups) {
      let w = 1;
      for (let q = group.length - 1; q >= 0; q--) {
        this.weight[group[q]] = w;
        w *= this.nCuts[group[q]];
      }
      if (w > MAX_GROUNDING_STATES)
        throw new Error(
          `distinct interpretations: layer ${nodes[group[0]].layer} has ${w.toLocaleString("en-US")} combinations of cuts (over ${MAX_GROUNDING_STATES.toLocaleString("en-US")}); ` +
            `count a sparser circuit.`,
        );
    }
    this.keyOrder = sortedKeyOrder(problem.keys);
    this.cache = nodes.map(() => new Map());
  }

  /** The choices of node `ni` when the previous layer's cut state is `state`. */
  choices(ni: number, state: number): Choice[] {
    const node = this.problem.nodes[ni];
    const ps = node.parents;
    let key = 0;
    for (const p of ps) key = key * this.nCuts[p] + (Math.floor(state / this.weight[p]) % this.nCuts[p]);
    let hit = this.cache[ni].get(key);
    if (hit) return hit;
    hit = [];
    const parentTables = ps.map((p) => this.problem.nodes[p].cuts[Math.floor(state / this.weight[p]) % this.nCuts[p]].table);
    for (let c = 0; c < node.cuts.length; c++) {
      const table = node.cuts[c].table;
      if (node.layer === 1) {
        const gate = gateName(inputTable(table, this.keyOrder));
        hit.push({ cut: c, gate, gateId: gateId(gate), count: 1 });
        continue;
      }
      const s = localSkeleton(table, parentTables);
      if (!s) continue;
      if (s.local.length > 4) {
        // 3+ parents: every completion has the same name ("3INPUTS", …) and none is banned (SPEC 14.7).
        const gate = gateName(s.local);
        hit.push({ cut: c, gate, gateId: gateId(gate), count: 2 ** s.free.length });
        continue;
      }
      const byGate = new Map<string, number>();
      const local = Array.from(s.local);
      for (let f = 0; f < 2 ** s.free.length; f++) {
        s.free.forEach((t, q) => (local[t] = (f >> (s.free.length - 1 - q)) & 1));
        const gate = gateName(local);
        if (ps.length === 2 && (gate === "XOR" || gate === "XNOR")) continue;
        byGate.set(gate, (byGate.get(gate) ?? 0) + 1);
      }
      for (const [gate, count] of byGate) hit.push({ cut: c, gate, gateId: gateId(gate), count });
    }
    this.cache[ni].set(key, hit);
    return hit;
  }

  /** Calls `visit` for every combination of the layer's choices given the previous layer's state (none if one node has none). */
  forEachCombination(group: readonly number[], state: number, visit: (picked: readonly Choice[], nextState: number) => void): void {
    const lists = group.map((ni) => this.choices(ni, state));
    if (lists.some((l) => l.length === 0)) return;
    const idx = new Int32Array(group.length);
    const picked: Choice[] = lists.map((l) => l[0]);
    for (;;) {
      let next = 0;
      for (let q = 0; q < group.length; q++) {
        picked[q] = lists[q][idx[q]];
        next += picked[q].cut * this.weight[group[q]];
      }
      visit(picked, next);
      let q = group.length - 1;
      while (q >= 0 && ++idx[q] === lists[q].length) idx[q--] = 0;
      if (q < 0) return;
    }
  }
}

const SEP = "\u0001";
/** State ids of several problems in one set: problem index × this + cut state (cut states stay below it). */
const STRIDE = MAX_GROUNDING_STATES;

/**
 * Number of distinct label tuples over problems that share their retained nodes (the union of their label dicts).
 * A subset construction over layers: each distinct label prefix is represented only through the set of (problem, cut
 * state of its last layer) it can end in, since its completions depend on nothing else; prefixes with the same set are
 * counted together. The last layer's labels are counted as the union over that set.
 */
function countUnion(problems: readonly GroundingProblem[]): number {
  if (problems[0].nodes.length === 0) return 1; // one empty label dict
  const layered = problems.map((p) => new LayeredChoices(p));
  const groups = layered[0].groups;
  let frontier = new Map<string, { ids: number[]; count: number }>();
  frontier.set("", { ids: problems.map((_, pi) => pi * STRIDE), count: 1 });
  let total = 0;
  for (let li = 0; li < groups.length; li++) {
    const group = groups[li];
    const last = li === groups.length - 1;
    const next = new Map<string, { ids: number[]; count: number }>();
    for (const { ids, count } of frontier.values()) {
      const byLabels = new Map<number | string, Set<number>>();
      for (const id of ids) {
        const pi = Math.floor(id / STRIDE);
        layered[pi].forEachCombination(group, id - pi * STRIDE, (picked, state) => {
          const key = tupleKey(picked);
          let set = byLabels.get(key);
          if (!set) byLabels.set(key, (set = new Set()));
          if (!last) set.add(pi * STRIDE + state);
        });
      }
      if (last) {
        total += count * byLabels.size;
        continue;
      }
      for (const set of byLabels.values()) {
        const nextIds = [...set].sort((a, b) => a - b);
        const key = nextIds.join(",");
        const hit = next.get(key);
        if (hit) hit.count += count;
        else next.set(key, { ids: nextIds, count });
      }
    }
    frontier = next;
  }
  if (!Number.isSafeInteger(total)) throw new Error(`distinct interpretations: the count (${total}) exceeds 2^53 and is not exact as a number.`);
  return total;
}

/**
 * Number of distinct gate-label assignments of one circuit (label dicts over its retained neurons), exactly and
 * without materialising groundings. The reference's raw count is `countGroundings` (multiplicities included).
 */
export function countDistinctInterpretations(problem: GroundingProblem): number {
  return countUnion([problem]);
}

/** Retained neurons as a key: circuits whose label dicts can coincide have the same retained neurons. */
function retainedKey(p: GroundingProblem): string {
  return p.nodes.map((n) => neuronName(n.layer, n.neuron)).join(" ");
}

/**
 * Number of distinct label dicts pooled over circuits (e.g. a model's perfect circuits): the size of the union of the
 * circuits' label dicts, a dict being retained neuron `L{l}.{j}` → gate. Two circuits give the same dict only if they
 * retain the same neurons and label them alike (their masks may differ), so this is at most the sum of the per-circuit
 * counts. No circuits → 0.
 */
export function countPooledDistinctInterpretations(problems: readonly GroundingProblem[]): number {
  const byRetained = new Map<string, GroundingProblem[]>();
  for (const p of problems) {
    const key = retainedKey(p);
    const list = byRetained.get(key);
    if (list) list.push(p);
    else byRetained.set(key, [p]);
  }
  let total = 0;
  for (const list of byRetained.values()) total += countUnion(list);
  return total;
}

function compareLabels(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

export interface DistinctInterpretationOptions {
  /** Most (label prefix, cut state) pairs held at once before giving up (default 1 000 000). */
  maxEntries?: number;
}

/**
 * The distinct label dicts of one circuit with their multiplicities (counts sum to `countGroundings`), sorted by their
 * gates in neuron order (as Python sorts the tuples). Holds every distinct label prefix with its cut state, so it is
 * for small circuits; `countDistinctInterpretations` counts any circuit.
 */
export function distinctInterpretations(problem: GroundingProblem, opts: DistinctInterpretationOptions = {}): DistinctInterpretation[] {
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const { nodes } = problem;
  if (nodes.length === 0) return [{ labels: {}, count: 1 }];
  const layered = new LayeredChoices(problem);
  const groups = layered.groups;
  let entries = new Map<string, { labels: string[]; state: number; count: number }>();
  entries.set("", { labels: [], state: 0, count: 1 });
  for (let li = 0; li < groups.length; li++) {
    const last = li === groups.length - 1;
    const next = new Map<string, { labels: string[]; state: number; count: number }>();
    for (const e of entries.values()) {
      layered.forEachCombination(groups[li], e.state, (picked, state) => {
        const labels = e.labels.concat(picked.map((c) => c.gate));
        let count = e.count;
        for (const c of picked) count *= c.count;
        const key = last ? labels.join(SEP) : `${labels.join(SEP)}|${state}`;
        const hit = next.get(key);
        if (hit) hit.count += count;
        else next.set(key, { labels, state: last ? 0 : state, count });
      });
      if (next.size > maxEntries)
        throw new Error(
          `distinctInterpretations: more than ${maxEntries.toLocaleString("en-US")} label prefixes at layer ${nodes[groups[li][0]].layer}; ` +
            `use countDistinctInterpretations for the count, or raise maxEntries.`,
        );
    }
    entries = next;
  }
  const names = nodes.map((n) => neuronName(n.layer, n.neuron));
  const sorted = [...entries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  return sorted.map((e) => ({ labels: Object.fromEntries(names.map((name, i) => [name, e.labels[i]])), count: e.count }));
}

/**
 * The distinct label dicts pooled over circuits (see countPooledDistinctInterpretations): each dict once, with the
 * groundings summed over the circuits that give it and the number of those circuits, in the order the circuits first
 * give them. For small circuits.
 */
export function pooledDistinctInterpretations(problems: readonly GroundingProblem[], opts: DistinctInterpretationOptions = {}): PooledInterpretation[] {
  const pooled = new Map<string, PooledInterpretation>();
  for (const p of problems)
    for (const d of distinctInterpretations(p, opts)) {
      const key = JSON.stringify(d.labels);
      const hit = pooled.get(key);
      if (hit) {
        hit.count += d.count;
        hit.circuits++;
      } else pooled.set(key, { labels: d.labels, count: d.count, circuits: 1 });
    }
  return [...pooled.values()];
}
