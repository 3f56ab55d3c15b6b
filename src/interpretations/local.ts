/** Local tables and gate names shared by counting, iteration and distinct interpretations (SPEC 5 steps 5-6, SPEC 2.1). */
import { nameTable } from "../tasks";

/**
 * The local tables of a node's global table `t` given its parents' tables, as (fixed entries, free parent tuples):
 * null when inconsistent (two keys with the same parent tuple disagree).
 */
export function localSkeleton(t: Uint8Array, parentTables: Uint8Array[]): { local: Int8Array; free: number[] } | null {
  const local = new Int8Array(1 << parentTables.length);
  if (!fillLocal(local, t, parentTables)) return null;
  const free: number[] = [];
  for (let i = 0; i < local.length; i++) if (local[i] === -1) free.push(i);
  return { local, free };
}

/** Fills `local` (−1 = free) from the keys; false when two keys with the same parent tuple disagree. */
export function fillLocal(local: Int8Array, t: Uint8Array, parentTables: Uint8Array[]): boolean {
  const p = parentTables.length;
  local.fill(-1, 0, 1 << p);
  for (let k = 0; k < t.length; k++) {
    let tuple = 0;
    for (let i = 0; i < p; i++) tuple = (tuple << 1) | parentTables[i][k];
    if (local[tuple] === -1) local[tuple] = t[k];
    else if (local[tuple] !== t[k]) return false;
  }
  return true;
}

/** The name of a local table (outputs in binary order of its inputs, SPEC 2.1); tables of odd lengths spell their bits. */
export function gateName(table: ArrayLike<number>): string {
  const n = table.length;
  return n === 1 || n === 2 || n === 4 || (n & (n - 1)) === 0 ? nameTable(table) : Array.from(table).join("");
}

/**
 * Order of the grounding keys sorted as tuples (00, 01, 10, 11 for clean 2-input keys): the reference sorts a table's
 * keys before naming it, while the keys are stored in first-appearance order (main.py's clean set: 10, 01, 11, 00).
 */
export function sortedKeyOrder(keys: readonly (readonly number[])[]): number[] {
  const order = keys.map((_, k) => k);
  return order.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}

/** A first-layer node's local table: its global table read in sorted key order (a function of the network inputs). */
export function inputTable(table: ArrayLike<number>, keyOrder: readonly number[]): number[] {
  return keyOrder.map((k) => table[k]);
}
