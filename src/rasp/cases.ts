/**
 * The nine InterpBench cases the paper chains into its pipelines, as RASP-lite programs over a vocabulary and length
 * shrunk to fit 2 cores (tokens 0–5, 5 tokens after BOS; InterpBench: tokens 0–10, up to 9 tokens). Each program
 * follows InterpBench's RASP code node for node (the semantics, including its edge cases, are stated in
 * docs/transformers.md), and `direct` computes the same output with plain loops, the oracle of the tests.
 */
import { Comparison, RaspProgram, aggregate, map, raspProgram, select, selectorWidth, sequenceMap } from "./program";

export interface RaspCase {
  program: RaspProgram;
  /** What the program computes, in words. */
  task: string;
  /** The output computed directly from the tokens (no RASP). */
  direct: (tokens: readonly number[]) => number[];
}

/** The shrunk vocabulary and length every case uses. */
export const RASP_VOCAB = [0, 1, 2, 3, 4, 5];
export const RASP_LENGTH = 5;

const meta = (id: string, name: string) => ({ id, name, vocab: RASP_VOCAB, length: RASP_LENGTH });

// `length` then the index the shift reads: each position's own index, the last position one before (InterpBench's
// shift_by_one: the last element is paired with itself).
const lengthNode = () => selectorWidth("length", "#keys", select("indices", "indices", Comparison.TRUE));
const shiftIndex = () => sequenceMap("shift_index", "i < n−1 ? i : i−1", (i, n) => (i < n - 1 ? i : i - 1), "indices", "length");
// key − 1 == query: query position q reads key position shift_index[q] + 1
const nextSelector = () => select("indices", "shift_index", { text: "key − 1 == query", test: (k, q) => k - 1 === q });
const nextToken = (t: readonly number[], i: number) => (i < t.length - 1 ? t[i + 1] : t[i]);

const CASES: RaspCase[] = [
  {
    task: "increment each element by its index",
    program: raspProgram(meta("48", "increment by index"), [sequenceMap("incremented", "x + i", (x, i) => x + i, "tokens", "indices")], "incremented"),
    direct: (t) => t.map((x, i) => x + i),
  },
  {
    task: "sort (ascending, stable)",
    program: raspProgram(
      meta("59", "sort"),
      [
        // InterpBench adds i·1e-5 to make the keys unique; x·length + i orders them the same way with integers.
        sequenceMap("unique_keys", "x·n + i", (x, i) => x * RASP_LENGTH + i, "tokens", "indices"),
        selectorWidth("sorted_position", "#(key < query)", select("unique_keys", "unique_keys", Comparison.LT)),
        aggregate("sorted", "tokens at key == query", select("sorted_position", "indices", Comparison.EQ), "tokens"),
      ],
      "sorted",
    ),
    direct: (t) => [...t].sort((a, b) => a - b),
  },
  {
    task: "replace each element by the number of smaller elements",
    program: raspProgram(meta("63", "count smaller"), [selectorWidth("count_lt", "#(key < query)", select("tokens", "tokens", Comparison.LT))], "count_lt"),
    direct: (t) => t.map((x) => t.filter((y) => y < x).length),
  },
  {
    task: "interleave with the reverse (odd positions read from the end)",
    program: raspProgram(
      meta("74", "interleave reverse"),
      [
        lengthNode(),
        sequenceMap("shifter", "i even ? i : n−i(−1)", (i, n) => (i % 2 === 0 ? i : n % 2 === 0 ? n - i : n - i - 1), "indices", "length"),
        aggregate("interleaved", "tokens at key == query", select("indices", "shifter", Comparison.EQ), "tokens"),
      ],
      "interleaved",
    ),
    direct: (t) => {
      const n = t.length;
      return t.map((x, i) => (i % 2 === 0 ? x : t[n % 2 === 0 ? n - i : n - i - 1]));
    },
  },
  {
    task: "sum with the next element (the last element doubled)",
    program: raspProgram(
      meta("99", "sum with next"),
      [lengthNode(), shiftIndex(), aggregate("next", "tokens at key−1 == query", nextSelector(), "tokens"), sequenceMap("sum_next", "x + next", (x, y) => (y !== 0 ? x + y : x), "tokens", "next")],
      "sum_next",
    ),
    direct: (t) => t.map((x, i) => x + nextToken(t, i)),
  },
  {
    task: "any two elements equal (1/0 at every position)",
    program: raspProgram(
      meta("108", "any two equal"),
      [
        selectorWidth("equal_count", "#(key == query)", select("tokens", "tokens", Comparison.EQ)),
        map("two", "2", () => 2, "indices"),
        selectorWidth("repeated_count", "#(key ≥ 2)", select("equal_count", "two", Comparison.GEQ)),
        map("any_equal", "x > 0", (x) => (x > 0 ? 1 : 0), "repeated_count"),
      ],
      "any_equal",
    ),
    direct: (t) => t.map(() => (new Set(t).size < t.length ? 1 : 0)),
  },
  {
    task: "difference with the next element (next − this; 0 at the last position)",
    program: raspProgram(
      meta("112", "difference with next"),
      [lengthNode(), shiftIndex(), aggregate("next", "tokens at key−1 == query", nextSelector(), "tokens"), sequenceMap("difference", "next − x", (y, x) => y - x, "next", "tokens")],
      "difference",
    ),
    direct: (t) => t.map((x, i) => nextToken(t, i) - x),
  },
  {
    task: "all elements equal (1/0 at every position)",
    program: raspProgram(
      meta("124", "all equal"),
      [
        selectorWidth("unequal_count", "#(key ≠ query)", select("tokens", "tokens", Comparison.NEQ)),
        map("zero", "0", () => 0, "indices"),
        selectorWidth("equal_positions", "#(key == 0)", select("unequal_count", "zero", Comparison.EQ)),
        map("all_equal", "x > 0", (x) => (x > 0 ? 1 : 0), "equal_positions"),
      ],
      "all_equal",
    ),
    direct: (t) => t.map(() => (t.every((x) => x === t[0]) ? 1 : 0)),
  },
  {
    task: "alternating parity (1/0 at every position)",
    program: raspProgram(
      meta("125", "alternating parity"),
      [
        // query q reads key q−1; query 0 reads key 1 (InterpBench's selector)
        aggregate("previous", "tokens at q == k+1 | (k,q) = (1,0)", select("indices", "indices", { text: "query == key + 1 or (key, query) == (1, 0)", test: (k, q) => q === k + 1 || (k === 1 && q === 0) }), "tokens"),
        map("previous_even", "x even", (x) => (x % 2 === 0 ? 1 : 0), "previous"),
        map("odd", "x odd", (x) => (x % 2 === 1 ? 1 : 0), "tokens"),
        sequenceMap("alternates", "x == y", (x, y) => (x === y ? 1 : 0), "previous_even", "odd"),
        map("zero", "0", () => 0, "indices"),
        selectorWidth("breaks", "#(key == 0)", select("alternates", "zero", Comparison.EQ)),
        map("alternating", "x == 0", (x) => (x > 0 ? 0 : 1), "breaks"),
      ],
      "alternating",
    ),
    direct: (t) => t.map(() => (t.every((x, i) => i === 0 || (x + t[i - 1]) % 2 === 1) ? 1 : 0)),
  },
];

/** The nine cases by InterpBench number: "48", "59", "63", "74", "99", "108", "112", "124", "125". */
export const RASP_CASES: Record<string, RaspCase> = Object.fromEntries(CASES.map((c) => [c.program.id, c]));

/** The case numbers in InterpBench's order. */
export const RASP_CASE_IDS: string[] = CASES.map((c) => c.program.id);
