/**
 * What-then-where (SPEC 6-7). STUB: the alignment helper replaces this file; the signature is the contract.
 */
import { MLP } from "../model";

export interface AlignOptions {
  /** Orientation of the (01,10) pair in the reference's 6 pairs: "BA" (default, tests 10→01) or "AB". */
  pairOrder?: "BA" | "AB";
  /** "compat" (reference: 6 pairs, IIA must be 1) or "corrected" (12 ordered pairs, IIA ≥ threshold). */
  mode?: "compat" | "corrected";
  /** IIA threshold in corrected mode (default 1). */
  threshold?: number;
  /** Maximum formula depth; default hidden depth + 1. */
  maxDepth?: number;
}

export interface AlignedFormula {
  /** Index in the candidate list. */
  index: number;
  formula: string;
  /** Minimal mappings: "<subformula> <id>" → [[layer, neuron], ...]. */
  mappings: Record<string, [number, number][]>[];
}

export interface GateAlignment {
  nCandidates: number;
  /** Number of candidate formulas with at least one minimal mapping. */
  formulas: number;
  /** Minimal mappings of each aligned formula, in candidate order. */
  mappingsPerFormula: number[];
  aligned: AlignedFormula[];
  timingsMs: Record<string, number>;
}

export function alignGate(sub: MLP, gate: string, opts: AlignOptions = {}): GateAlignment {
  void sub;
  void gate;
  void opts;
  throw new Error("alignGate: not implemented yet");
}
