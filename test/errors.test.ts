// Refusals are typed: a caller tells a bad input from work over budget, and reads the budget error's numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BudgetError, InputError } from "../src/errors";
import { CandidateBudgetError, checkCandidateBudget, countCandidates, findCircuits } from "../src/circuits";
import { runWithCache } from "../src/model";
import { resolveSettings, withAnalysisData } from "../src/analysis";
import { loadReleasedModel } from "../src/reference";

test("bad inputs throw InputError naming the input; over-budget work throws a BudgetError with its numbers", () => {
  const { model } = loadReleasedModel();
  const x = [0, 0, 0, 1, 1, 0, 1, 1];
  const site = { hook: "layers.1.hook_post", units: [7] };
  assert.throws(() => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site }] }), (e: unknown) => e instanceof InputError && /units?/.test((e as Error).message) && /layers\.1\.hook_post/.test((e as Error).message));
  assert.throws(() => findCircuits(model, undefined as never), (e: unknown) => e instanceof InputError && /findCircuits: data/.test((e as Error).message));
  assert.throws(() => resolveSettings({ iiaThreshold: 2 } as never), (e: unknown) => e instanceof InputError && /iiaThreshold/.test((e as Error).message));
  assert.throws(() => withAnalysisData(loadReleasedModel(), "nb" as never), (e: unknown) => e instanceof InputError && /source must be one of file, clean, notebook/.test((e as Error).message));
  const sizes = [2, 8, 8, 1];
  let caught: unknown;
  try {
    checkCandidateBudget(sizes, { maxCandidates: 1000 });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CandidateBudgetError && caught instanceof BudgetError, "the refusal is a BudgetError");
  const b = caught as CandidateBudgetError;
  assert.equal(b.nCandidates, countCandidates(sizes, {}));
  assert.equal(b.limit, 1000);
  assert.ok(b.estimatedSeconds > 0);
  assert.ok(!(b instanceof InputError));
});
