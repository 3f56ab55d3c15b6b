/**
 * Naturally trained XOR nets labelled by the exhaustive what-then-where alignment (E5): a net's label is the set of
 * classes its aligned formulas belong to; "mixed" (several classes) and "none" are real outcomes.
 */
import { alignGate, AlignOptions } from "../alignment";
import { candidateFormulas, formulaTruthTable, relevantNodes } from "../formulas";
import { MLP } from "../model";
import { trainExperimentSync } from "../train";
import { XorClass } from "./groundTruth";
import { alignClasses } from "./iit";

/** Corner partition of a truth table (bit r = row r: 00, 01, 10, 11) up to negation: min(t, ¬t). */
function partition(t: number): number {
  return Math.min(t, 15 ^ t);
}

const CLASS_PARTITIONS: Record<XorClass, number[]> = {
  C1: [1, 7], // {00|rest}, {11|rest}
  C2: [2, 4], // {01|rest}, {10|rest}
  C3: [3, 5, 7], // {a}, {b}, {11|rest}
};

/**
 * The class of an XOR formula from its intermediate variables' partitions (negation and XOR-valued intermediate
 * nodes ignored: "C1 at layer 1, XOR at layer 2" is C1). null when it matches none of C1, C2, C3.
 */
export function formulaClass(intermediateTables: readonly number[]): XorClass | null {
  const parts = [...new Set(intermediateTables.map(partition).filter((p) => p !== 6 && p !== 0))].sort((a, b) => a - b);
  for (const [cls, want] of Object.entries(CLASS_PARTITIONS) as [XorClass, number[]][]) if (parts.length === want.length && parts.every((p, i) => p === want[i])) return cls;
  return null;
}

export interface AlignmentLabel {
  /** Classes of the aligned formulas (sorted, unique). */
  classes: XorClass[];
  /** "C1", "C2", "C3", "mixed" or "none". */
  label: string;
  /** Aligned formulas and their classes ("other" when outside the catalog). */
  formulas: { formula: string; cls: XorClass | "other" }[];
}

/** Labels a single-output XOR net by alignGate (compat mode by default) and the class of each aligned formula. */
export function labelByAlignment(m: MLP, opts: AlignOptions = {}): AlignmentLabel {
  const al = alignGate(m, "XOR", opts);
  const maxDepth = al.maxDepth ?? opts.maxDepth ?? m.layerSizes.length - 1;
  const cands = candidateFormulas("XOR", maxDepth);
  const formulas = al.aligned.map((a) => {
    const f = cands[a.index].formula;
    const cls = formulaClass(relevantNodes(f).map((n) => formulaTruthTable(n, 2)));
    return { formula: a.formula, cls: (cls ?? "other") as XorClass | "other" };
  });
  const classes = [...new Set(formulas.map((f) => f.cls).filter((c): c is XorClass => c !== "other"))].sort();
  return { classes, label: classes.length === 0 ? "none" : classes.length === 1 ? classes[0] : "mixed", formulas };
}

export interface NaturalNet {
  model: MLP;
  hidden: number[];
  seed: number;
  accepted: boolean;
  alignment: AlignmentLabel;
  /** Label by the exhaustive single-unit alignment search against the class catalog (alignClasses). */
  catalog: ReturnType<typeof alignClasses>;
}

/**
 * Trains XOR nets with the fast engine (Gaussian input noise 0.1, as Méloux et al.) for each (hidden sizes, seed)
 * and labels the accepted ones by alignGate and by the class catalog. Seeded and deterministic.
 */
export function trainNaturalXorNets(hiddens: readonly number[][], seeds: readonly number[], onProgress?: (done: number, total: number) => void): NaturalNet[] {
  const out: NaturalNet[] = [];
  let done = 0;
  const total = hiddens.length * seeds.length;
  for (const hidden of hiddens)
    for (const seed of seeds) {
      const { result } = trainExperimentSync({ gates: ["XOR"], hiddenSizes: hidden, seed, noiseStd: 0.1 });
      if (result.accepted) out.push({ model: result.model, hidden: [...hidden], seed, accepted: true, alignment: labelByAlignment(result.model), catalog: alignClasses(result.model) });
      onProgress?.(++done, total);
    }
  return out;
}
