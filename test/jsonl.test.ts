// JSON Lines of append-only runs: a torn last line is dropped, a damaged middle line is an error naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lastPerKey, parseJsonLines } from "../src/jsonl";
import { InputError } from "../src/errors";

test("a torn last line is dropped; blank lines are skipped; records are read by the given function", () => {
  assert.deepEqual(parseJsonLines('{"a":1}\n\n{"a":2}\n{"a":', "f.jsonl"), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(parseJsonLines('{"a":1}\n{"a":2}\n', "f.jsonl", (v) => (v as { a: number }).a * 10), [10, 20]);
  assert.deepEqual(parseJsonLines("", "f.jsonl"), []);
});

test("a damaged line before the end names the file and the line; a reader's refusal counts as damage", () => {
  assert.throws(() => parseJsonLines('{"a":1}\n{"a"\n{"a":3}\n', "runs/f.jsonl"), (e: Error) => e instanceof InputError && /runs\/f\.jsonl: line 2 is not a valid record/.test(e.message));
  const positive = (v: unknown) => {
    if ((v as { a: number }).a < 0) throw new Error("a is negative");
    return v;
  };
  assert.throws(() => parseJsonLines('{"a":-1}\n{"a":1}\n', "f.jsonl", positive), /line 1 is not a valid record \(a is negative\)/);
  assert.deepEqual(parseJsonLines('{"a":1}\n{"a":-1}\n', "f.jsonl", positive), [{ a: 1 }], "a refused last line is treated as torn");
});

test("lastPerKey keeps the first position of a key and its last value", () => {
  assert.deepEqual(lastPerKey([{ key: "x", v: 1 }, { key: "y", v: 2 }, { key: "x", v: 3 }]), [{ key: "x", v: 3 }, { key: "y", v: 2 }]);
});
