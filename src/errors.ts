/**
 * The library's two kinds of refusal, as classes so that a notebook or a caller can tell them apart and read their
 * numbers (`catch (e) { if (e instanceof BudgetError) e.nCandidates }`):
 * - `InputError`: a bad argument, file or setting; the message names the input and the fix.
 * - `BudgetError`: work that would explode, estimated first and refused; carries the count and the time estimate.
 */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}

export class BudgetError extends Error {
  /** How many candidates (circuits, groundings, …) the work would enumerate. */
  readonly nCandidates: number;
  /** The budget it exceeds. */
  readonly limit: number;
  /** Estimated time of the refused work, in seconds. */
  readonly estimatedSeconds: number;
  constructor(message: string, nCandidates: number, limit: number, estimatedSeconds: number) {
    super(message);
    this.name = "BudgetError";
    this.nCandidates = nCandidates;
    this.limit = limit;
    this.estimatedSeconds = estimatedSeconds;
  }
}
