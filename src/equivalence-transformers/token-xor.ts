/**
 * The token-level Boolean task that ties transformers back to the MLP ground truth (issue 17): bit sequences
 * x₁ … x₈ after BOS (tokens 0 and 1), labelled x₁ XOR x₆ (1-based positions: token indices 0 and 5 after BOS). As in
 * InterpBench's Boolean cases (108, 124) the label is written at every position; the representations read the last.
 *
 * Three RASP-lite programs compute the label, one per XOR implementation class of src/equivalence/groundTruth.ts
 * (variant 0 of each class, whose units are the program's intermediate variables):
 * - C1 symmetric: OR and AND of (x₁, x₆) in the MLP of block 0, XOR = OR ∧ ¬AND in the MLP of block 1;
 * - C2 one-sided: a∧¬b and ¬a∧b in block 0's MLP, XOR = their OR in block 1's MLP;
 * - C3 arithmetic: a, b (copies) and AND in block 0's MLP, a + b in block 1's, XOR = (a + b) − 2·AND in block 2's
 *   (RASP-lite maps take at most two arguments, so the three-term readout takes one more block; clamped to 0…1, which
 *   changes nothing on consistent values).
 * Every program first copies x₁ and x₆ to every position with one attention head each (aggregates on `indices`).
 * The class-defining variables therefore all sit on neuron slices of block 0's MLP, and every model has the same
 * architecture (3 blocks), so classes differ only in what SIIT imposes on those neurons.
 */
import { InputError } from "../errors";
import { Rng, deriveSeed } from "../rng";
import { RaspProgram, aggregate, allInputs, map, raspProgram, select, sequenceMap } from "../rasp/program";
import { Correspondence, interpBenchConfig, randomCorrespondence } from "../rasp/correspondence";
import { TransformerConfig } from "../transformer/types";
import { XOR_CLASSES, XorClass } from "../equivalence/groundTruth";

/** Tokens after BOS. */
export const TOKEN_XOR_LENGTH = 8;
/** The two positions the label reads, as token indices after BOS (x₁ and x₆ in 1-based names). */
export const TOKEN_XOR_POSITIONS: readonly [number, number] = [0, 5];
/** Blocks of every token-XOR model (C3's readout needs three). */
export const TOKEN_XOR_LAYERS = 3;

export interface TokenXorTask {
  length: number;
  positions: readonly [number, number];
  vocab: number[];
  /** The label of a sequence (BOS excluded). */
  label: (tokens: readonly number[]) => number;
  /** In words, for tables and figures. */
  description: string;
}

/** The task: the label and where it reads. */
export function tokenXorTask(): TokenXorTask {
  const [p, q] = TOKEN_XOR_POSITIONS;
  return {
    length: TOKEN_XOR_LENGTH,
    positions: TOKEN_XOR_POSITIONS,
    vocab: [0, 1],
    label: (t) => {
      if (!Array.isArray(t) || t.length !== TOKEN_XOR_LENGTH || t.some((x) => x !== 0 && x !== 1))
        throw new InputError(`token-XOR: expected ${TOKEN_XOR_LENGTH} tokens of 0/1 (BOS excluded), got ${JSON.stringify(t)}.`);
      return t[p] ^ t[q];
    },
    description: `x${p + 1} XOR x${q + 1} over ${TOKEN_XOR_LENGTH} bits`,
  };
}

/** The program's intermediate variables per class (the groundTruth units of variant 0, same names). */
export const TOKEN_XOR_VARIABLES: Record<XorClass, readonly string[]> = {
  C1: ["OR", "AND"],
  C2: ["a∧¬b", "¬a∧b"],
  C3: ["a", "b", "AND"],
};

function checkClass(cls: unknown): asserts cls is XorClass {
  if (!XOR_CLASSES.includes(cls as XorClass)) throw new InputError(`token-XOR: unknown class ${JSON.stringify(cls)}; use one of ${XOR_CLASSES.join(", ")}.`);
}

/** The high-level program of a class (see the file's comment); output node "xor". */
export function tokenXorProgram(cls: XorClass): RaspProgram {
  checkClass(cls);
  const [p, q] = TOKEN_XOR_POSITIONS;
  const meta = { id: `token-xor-${cls}`, name: `x${p + 1} XOR x${q + 1} (${cls})`, vocab: [0, 1], length: TOKEN_XOR_LENGTH };
  const copies = [
    aggregate("x_a", `tokens at key == ${p}`, select("indices", "indices", { text: `key == ${p}`, test: (k) => k === p }), "tokens"),
    aggregate("x_b", `tokens at key == ${q}`, select("indices", "indices", { text: `key == ${q}`, test: (k) => k === q }), "tokens"),
  ];
  const and = sequenceMap("AND", "a ∧ b", (a, b) => a & b, "x_a", "x_b");
  switch (cls) {
    case "C1":
      return raspProgram(meta, [...copies, sequenceMap("OR", "a ∨ b", (a, b) => a | b, "x_a", "x_b"), and, sequenceMap("xor", "OR ∧ ¬AND", (o, n) => o & (1 - n), "OR", "AND")], "xor");
    case "C2":
      return raspProgram(
        meta,
        [...copies, sequenceMap("a∧¬b", "a ∧ ¬b", (a, b) => a & (1 - b), "x_a", "x_b"), sequenceMap("¬a∧b", "¬a ∧ b", (a, b) => (1 - a) & b, "x_a", "x_b"), sequenceMap("xor", "u ∨ v", (u, v) => u | v, "a∧¬b", "¬a∧b")],
        "xor",
      );
    case "C3":
      return raspProgram(
        meta,
        [
          ...copies,
          map("a", "a", (a) => a, "x_a"),
          map("b", "b", (b) => b, "x_b"),
          and,
          sequenceMap("a+b", "a + b", (a, b) => a + b, "a", "b"),
          // clamped so that the value set (propagated over every combination, consistent or not) stays {0, 1}
          sequenceMap("xor", "(a + b) − 2·AND", (s, n) => Math.max(0, Math.min(1, s - 2 * n)), "a+b", "AND"),
        ],
        "xor",
      );
  }
}

/** The three programs by class. */
export function tokenXorPrograms(): Record<XorClass, RaspProgram> {
  return { C1: tokenXorProgram("C1"), C2: tokenXorProgram("C2"), C3: tokenXorProgram("C3") };
}

/** Every one of the 2^8 inputs with its label (the exhaustive evaluation set). */
export function tokenXorInputs(): { tokens: number[][]; labels: number[] } {
  const task = tokenXorTask();
  const tokens = allInputs(tokenXorProgram("C1"));
  return { tokens, labels: tokens.map(task.label) };
}

/** Head sizes of the cached population (InterpBench's rule: d_model = 4·d_head, d_mlp = 4·d_model). */
export const TOKEN_XOR_WIDTHS: readonly number[] = [2, 3];

/** The architecture of every class at a head size: 3 blocks, 4 heads, no LayerNorm. */
export function tokenXorConfig(dHead = 2): TransformerConfig {
  if (!Number.isInteger(dHead) || dHead < 1 || dHead > 16) throw new InputError(`token-XOR: dHead must be an integer in 1…16, got ${dHead}.`);
  return interpBenchConfig(tokenXorProgram("C3"), { dHead, nLayers: TOKEN_XOR_LAYERS });
}

/** Share of block 0's MLP neurons the intermediate variables take together (the rest is off-circuit). */
export const TOKEN_XOR_NEURON_SHARE = 0.5;

/**
 * The correspondence of a model: the copies on a random head each of block 0, each variable on a random disjoint
 * slice of its block's MLP neurons (half the neurons shared out, the other half off-circuit, as the paper's random
 * correspondences). Seeded per model.
 */
export function tokenXorCorrespondence(cls: XorClass, config: TransformerConfig, seed: number): Correspondence {
  return randomCorrespondence(tokenXorProgram(cls), config, new Rng(deriveSeed(seed, "token-xor", "correspondence", cls)), { neuronShare: TOKEN_XOR_NEURON_SHARE });
}
