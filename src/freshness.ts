/**
 * In a source checkout, refuses to run a dist/ older than src/ (notebooks import dist/, worker threads load it).
 * The rule lives in scripts/stale.js (shared with the scripts, which must work before any build); an installed
 * package has no src/ and no scripts/, and is never checked.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

interface StaleRule {
  staleReason(root: string): string | null;
  staleMessage(root: string, reason: string, who: string): string;
}

/** The package root: one level above this file, in src/ (tsx) as in dist/ (built). */
const packageRoot = path.resolve(__dirname, "..");

function staleRule(): StaleRule | null {
  const script = path.join(packageRoot, "scripts", "stale.js");
  if (!fs.existsSync(path.join(packageRoot, "src")) || !fs.existsSync(script)) return null;
  return createRequire(__filename)(script) as StaleRule;
}

/**
 * Throws when dist/ is stale in a source checkout, naming the changed file and the fix. `who` names what would run
 * the stale code ("worker threads", "this notebook"). With `onlyFromDist`, checks only when this code itself runs
 * from dist/ (the library's entry point: from src/ under tsx there is nothing stale to run).
 */
export function assertFreshBuild(who: string, opts: { onlyFromDist?: boolean } = {}): void {
  if (opts.onlyFromDist && path.basename(__dirname) !== "dist") return;
  const rule = staleRule();
  const reason = rule?.staleReason(packageRoot);
  if (rule && reason) throw new Error(rule.staleMessage(packageRoot, reason, who));
}
