/**
 * Boolean tasks: the reference's gates (SPEC 2.1), every named 2-input function, multi-output tasks, and the
 * reference's data generation (SPEC 2.2) on our own seeded PRNG.
 *
 * Truth tables are listed over the inputs in binary order with x0 the most significant bit:
 * 00, 01, 10, 11 for two inputs (000 … 111 for three).
 */
import { Rng } from "./rng";
import { InputError } from "./errors";

export interface Gate {
  /** Name as the reference spells it (AND, XOR, …) or as `name_gate` names it (A_NIMPLY_B, …). */
  readonly name: string;
  readonly arity: number;
  /** Output on input row r (x0 = most significant bit of r). Length 2^arity. */
  readonly table: readonly number[];
}

/** `name_gate` names of the 16 two-input functions, indexed by the outputs on 00,01,10,11 read as a binary number. */
export const TWO_INPUT_NAMES = [
  "FALSE", "AND", "A_NIMPLY_B", "A", "B_NIMPLY_A", "B", "XOR", "OR",
  "NOR", "XNOR", "NOT_B", "B_IMPLY_A", "NOT_A", "A_IMPLY_B", "NAND", "TRUE",
] as const;
/** `name_gate` names of the 4 one-input functions (outputs on 0, 1). */
export const ONE_INPUT_NAMES = ["FALSE", "IDENTITY", "NOT", "TRUE"] as const;

function gateFrom(name: string, arity: number, f: (bits: number[]) => number): Gate {
  const table: number[] = [];
  for (let r = 0; r < 1 << arity; r++) table.push(f(rowBits(r, arity)) ? 1 : 0);
  return { name, arity, table };
}

/** Bits of row r, most significant first: rowBits(1, 2) = [0, 1]. */
export function rowBits(r: number, arity: number): number[] {
  const bits: number[] = [];
  for (let i = arity - 1; i >= 0; i--) bits.push((r >> i) & 1);
  return bits;
}

const sum = (b: number[]) => b.reduce((s, x) => s + x, 0);

/** The reference's gates (`ALL_LOGIC_GATES`). */
const REFERENCE_GATES: Gate[] = [
  gateFrom("AND", 2, ([a, b]) => a & b),
  gateFrom("OR", 2, ([a, b]) => a | b),
  gateFrom("IMP", 2, ([a, b]) => (1 - a) | b),
  gateFrom("NAND", 2, ([a, b]) => 1 - (a & b)),
  gateFrom("NOR", 2, ([a, b]) => 1 - (a | b)),
  gateFrom("NIMP", 2, ([a, b]) => a & (1 - b)),
  gateFrom("XOR", 2, ([a, b]) => a ^ b),
  gateFrom("MAJORITY", 3, (b) => (sum(b) > 1 ? 1 : 0)),
  gateFrom("PARITY", 3, (b) => sum(b) % 2),
  gateFrom("FULL_ADDER", 3, (b) => sum(b) % 2),
  gateFrom("EXACT_2", 3, (b) => (sum(b) === 2 ? 1 : 0)),
];

/** The 7 two-input gates of main.py's default pool, in its order. */
export const DEFAULT_GATE_POOL = ["AND", "OR", "IMP", "NAND", "NOR", "NIMP", "XOR"] as const;

const GATES = new Map<string, Gate>();
for (const g of REFERENCE_GATES) GATES.set(g.name, g);
TWO_INPUT_NAMES.forEach((name, index) => {
  if (GATES.has(name)) return; // XOR, AND, OR, NOR, NAND: same tables under the same names
  GATES.set(name, gateFrom(name, 2, ([a, b]) => (index >> (3 - (a * 2 + b))) & 1));
});

/** Every gate name this library knows. */
export function gateNames(): string[] {
  return [...GATES.keys()];
}

/** Looks a gate up by name (case-insensitive); the error lists the valid names. */
export function getGate(name: string): Gate {
  const g = GATES.get(String(name).toUpperCase());
  if (!g) throw new InputError(`Unknown gate "${name}". Valid gates: ${gateNames().join(", ")}.`);
  return g;
}

/**
 * Names a truth table as the reference's `name_gate` does: outputs in row order read as a binary number (first
 * output most significant). 1 input: FALSE/IDENTITY/NOT/TRUE; 2 inputs: TWO_INPUT_NAMES; more: "<n>INPUTS".
 */
export function nameTable(outputs: ArrayLike<number>): string {
  const n = outputs.length;
  let index = 0;
  for (let i = 0; i < n; i++) index = index * 2 + (outputs[i] ? 1 : 0);
  if (n === 2) return ONE_INPUT_NAMES[index];
  if (n === 4) return TWO_INPUT_NAMES[index];
  if (n === 1) return outputs[0] ? "TRUE" : "FALSE";
  return `${Math.round(Math.log2(n))}INPUTS`;
}

/** A task: one gate per output, all of the same arity. */
export interface Task {
  readonly gates: readonly Gate[];
  readonly arity: number;
}

export function makeTask(gateNamesOrGates: readonly (string | Gate)[]): Task {
  if (!Array.isArray(gateNamesOrGates)) throw new InputError(`makeTask: gates must be an array of gate names, e.g. ["XOR"], got ${JSON.stringify(gateNamesOrGates)}.`);
  if (gateNamesOrGates.length === 0) throw new InputError("makeTask: give at least one gate, e.g. [\"XOR\"].");
  const gates = gateNamesOrGates.map((g) => (typeof g === "string" ? getGate(g) : g));
  const arity = gates[0].arity;
  const bad = gates.find((g) => g.arity !== arity);
  if (bad)
    throw new InputError(
      `All gates of a task must have the same arity: ${gates.map((g) => `${g.name}/${g.arity}`).join(", ")}. ` +
        `Use only 2-input gates or only 3-input gates in one task.`,
    );
  return { gates, arity };
}

/** A data set in row-major typed arrays. */
export interface Dataset {
  /** n × arity inputs. */
  x: Float32Array;
  /** n × nOutputs labels (0/1). */
  y: Float32Array;
  n: number;
  nInputs: number;
  nOutputs: number;
}

export interface GenerateOptions {
  /** n_repeats: 2^arity · nRepeats clean draws (squared with noise, SPEC 2.2). */
  nRepeats: number;
  /** Gaussian noise on the inputs (labels stay those of the clean inputs). Default 0. */
  noiseStd?: number;
  /** Sampling weights of the clean input rows (unnormalised, length 2^arity). Default uniform. */
  weights?: readonly number[];
  rng: Rng;
}

/**
 * The reference's `generate` (SPEC 2.2): draw 2^arity·nRepeats clean rows i.i.d. by `weights`, label them, and
 * with noise repeat every row nRepeats times consecutively and add N(0, noiseStd) to the inputs only.
 */
export function generateData(task: Task, opts: GenerateOptions): Dataset {
  if (!task || !Array.isArray(task.gates) || !Number.isInteger(task.arity)) throw new InputError("generateData: task must be a Task, e.g. makeTask([\"XOR\"]).");
  if (!opts || typeof opts !== "object") throw new InputError("generateData: options are required: { nRepeats, rng: new Rng(seed), noiseStd?, weights? }.");
  const { nRepeats, rng } = opts;
  if (!rng || typeof rng.weightedIndex !== "function" || typeof rng.normal !== "function") throw new InputError("generateData: rng must be an Rng (new Rng(seed)), so that the data are seeded.");
  const noiseStd = opts.noiseStd ?? 0;
  const rows = 1 << task.arity;
  if (!Number.isInteger(nRepeats) || nRepeats < 1) throw new InputError(`generateData: nRepeats must be a positive integer, got ${nRepeats}.`);
  if (!(noiseStd >= 0)) throw new InputError(`generateData: noiseStd must be >= 0, got ${noiseStd}.`);
  const w = opts.weights ?? new Array(rows).fill(1);
  if (w.length !== rows || w.some((v) => !(v >= 0)) || w.reduce((s, v) => s + v, 0) <= 0)
    throw new InputError(`generateData: weights must be ${rows} non-negative numbers with a positive sum, got [${w.join(", ")}].`);
  const cumulative: number[] = [];
  w.reduce((s, v, i) => (cumulative[i] = s + v), 0);
  const draws = rows * nRepeats;
  const copies = noiseStd > 0 ? nRepeats : 1;
  const n = draws * copies;
  const nIn = task.arity;
  const nOut = task.gates.length;
  const x = new Float32Array(n * nIn);
  const y = new Float32Array(n * nOut);
  let row = 0;
  for (let d = 0; d < draws; d++) {
    const r = rng.weightedIndex(cumulative);
    const bits = rowBits(r, nIn);
    for (let c = 0; c < copies; c++, row++) {
      for (let i = 0; i < nIn; i++) x[row * nIn + i] = bits[i];
      for (let o = 0; o < nOut; o++) y[row * nOut + o] = task.gates[o].table[r];
    }
  }
  if (noiseStd > 0) for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i] + noiseStd * rng.normal());
  return { x, y, n, nInputs: nIn, nOutputs: nOut };
}

/** Every clean input row of an arity, in table order (00, 01, 10, 11). */
export function cleanInputs(arity: number): Float32Array {
  if (!Number.isInteger(arity) || arity < 1 || arity > 16) throw new InputError(`cleanInputs: arity must be an integer from 1 to 16 (inputs per row), got ${arity}.`);
  const rows = 1 << arity;
  const x = new Float32Array(rows * arity);
  for (let r = 0; r < rows; r++) rowBits(r, arity).forEach((b, i) => (x[r * arity + i] = b));
  return x;
}

/**
 * Every clean input row of a task, once, labelled by its gates (table order 00, 01, 10, 11): the data set a circuit
 * or a grounding is judged on when no noise is wanted. Takes gate names, gates or a Task.
 */
export function cleanDataset(gatesOrTask: Task | readonly (string | Gate)[]): Dataset {
  const task = Array.isArray(gatesOrTask) ? makeTask(gatesOrTask as readonly (string | Gate)[]) : (gatesOrTask as Task);
  if (!task || !Array.isArray(task.gates) || !Number.isInteger(task.arity)) throw new InputError('cleanDataset: pass gate names (["XOR"]), gates or a Task (makeTask(["XOR"])).');
  const n = 1 << task.arity;
  const nOut = task.gates.length;
  const y = new Float32Array(n * nOut);
  for (let r = 0; r < n; r++) for (let o = 0; o < nOut; o++) y[r * nOut + o] = task.gates[o].table[r];
  return { x: cleanInputs(task.arity), y, n, nInputs: task.arity, nOutputs: nOut };
}
