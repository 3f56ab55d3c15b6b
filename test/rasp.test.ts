/**
 * RASP-lite programs against independent oracles: each case's plain-loop implementation on every input, layers
 * derived by hand from tracr's placement rule, and the dependency graph recovered by brute force (random
 * interventions on every node: what changes must be exactly the node's descendants).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../src/errors";
import { Rng } from "../src/rng";
import {
  Comparison,
  RASP_CASES,
  RASP_CASE_IDS,
  RaspProgram,
  aggregate,
  allInputs,
  descendants,
  map,
  programGraph,
  programLabels,
  raspProgram,
  runProgram,
  sampleInputs,
  select,
  selectorPattern,
  withBos,
} from "../src/rasp";

const CASE_IDS = ["48", "59", "63", "74", "99", "108", "112", "124", "125"];

test("the nine InterpBench cases are there, on tokens 0–5 with 5 tokens after BOS", () => {
  assert.deepEqual(RASP_CASE_IDS, CASE_IDS);
  for (const id of CASE_IDS) {
    const p = RASP_CASES[id].program;
    assert.equal(p.id, id);
    assert.deepEqual(p.vocab, [0, 1, 2, 3, 4, 5]);
    assert.equal(p.length, 5);
    assert.equal(p.bos, 6);
  }
});

test("every program equals its direct implementation on every input; every value lies in its node's value set", () => {
  for (const id of CASE_IDS) {
    const { program, direct } = RASP_CASES[id];
    const inputs = allInputs(program);
    assert.equal(inputs.length, 6 ** 5);
    let mismatches = 0;
    for (const t of inputs) {
      const run = runProgram(program, t);
      if (JSON.stringify(run.output) !== JSON.stringify(direct(t))) mismatches++;
      for (const n of program.nodes) for (const v of run.values[n.name]) if (!n.values.includes(v)) assert.fail(`${id}: ${n.name} took ${v}, outside ${JSON.stringify(n.values)}`);
    }
    assert.equal(mismatches, 0, `case ${id}`);
  }
});

test("direct implementations on hand-checked examples (the semantics stated in docs/transformers.md)", () => {
  const out = (id: string, t: number[]) => runProgram(RASP_CASES[id].program, t).output;
  assert.deepEqual(out("48", [5, 0, 1, 2, 3]), [5, 1, 3, 5, 7]);
  assert.deepEqual(out("59", [3, 1, 4, 1, 5]), [1, 1, 3, 4, 5]);
  assert.deepEqual(out("63", [3, 1, 4, 1, 5]), [2, 0, 3, 0, 4]);
  // odd positions read from the end: n = 5 odd, position 1 ← 3, 3 ← 1
  assert.deepEqual(out("74", [0, 1, 2, 3, 4]), [0, 3, 2, 1, 4]);
  assert.deepEqual(out("99", [1, 2, 3, 4, 5]), [3, 5, 7, 9, 10]);
  assert.deepEqual(out("108", [1, 2, 3, 4, 5]), [0, 0, 0, 0, 0]);
  assert.deepEqual(out("108", [1, 2, 3, 4, 1]), [1, 1, 1, 1, 1]);
  assert.deepEqual(out("112", [1, 3, 2, 5, 5]), [2, -1, 3, 0, 0]);
  assert.deepEqual(out("124", [4, 4, 4, 4, 4]), [1, 1, 1, 1, 1]);
  assert.deepEqual(out("124", [4, 4, 4, 4, 3]), [0, 0, 0, 0, 0]);
  assert.deepEqual(out("125", [1, 2, 3, 4, 5]), [1, 1, 1, 1, 1]);
  assert.deepEqual(out("125", [0, 1, 2, 3, 3]), [0, 0, 0, 0, 0]);
});

test("layers and components as tracr places them (hand-derived: attn l = sublayer 2l, mlp l = 2l + 1)", () => {
  const placement = (p: RaspProgram) => Object.fromEntries(p.nodes.filter((n) => n.component !== "input").map((n) => [n.name, `${n.component}${n.layer}`]));
  const expected: Record<string, Record<string, string>> = {
    "48": { incremented: "mlp0" },
    "59": { unique_keys: "mlp0", sorted_position: "attn1", sorted: "attn2" },
    "63": { count_lt: "attn0" },
    "74": { length: "attn0", shifter: "mlp1", interleaved: "attn2" },
    "99": { length: "attn0", shift_index: "mlp1", next: "attn2", sum_next: "mlp2" },
    // a selector width's value is ready after the MLP of its layer, so what reads it waits for the next sublayer
    "108": { equal_count: "attn0", two: "mlp0", repeated_count: "attn1", any_equal: "mlp2" },
    "112": { length: "attn0", shift_index: "mlp1", next: "attn2", difference: "mlp2" },
    "124": { unequal_count: "attn0", zero: "mlp0", equal_positions: "attn1", all_equal: "mlp2" },
    "125": { previous: "attn0", previous_even: "mlp0", odd: "mlp0", alternates: "mlp1", zero: "mlp0", breaks: "attn2", alternating: "mlp3" },
  };
  const nLayers: Record<string, number> = { "48": 1, "59": 3, "63": 1, "74": 3, "99": 3, "108": 3, "112": 3, "124": 3, "125": 4 };
  for (const id of CASE_IDS) {
    const p = RASP_CASES[id].program;
    assert.deepEqual(placement(p), expected[id], `case ${id}`);
    assert.equal(p.nLayers, nLayers[id], `case ${id}`);
    assert.deepEqual(p.nodes.slice(0, 2).map((n) => [n.name, n.component, n.layer]), [["tokens", "input", -1], ["indices", "input", -1]]);
    for (const n of p.nodes) assert.equal(n.usesMlp, n.kind === "map" || n.kind === "sequenceMap" || n.kind === "selectorWidth");
  }
});

test("program graph: the edges of case 99 and case 125, written out by hand", () => {
  const edges = (id: string) => programGraph(RASP_CASES[id].program).edges.map((e) => `${e.from}>${e.to}:${e.role}`).sort();
  assert.deepEqual(edges("99"), ["indices>length:keys", "indices>next:keys", "indices>shift_index:arg", "length>shift_index:arg", "next>sum_next:arg", "shift_index>next:queries", "tokens>next:source", "tokens>sum_next:arg"].sort());
  assert.deepEqual(
    edges("125"),
    ["indices>previous:keys", "tokens>previous:source", "previous>previous_even:arg", "tokens>odd:arg", "previous_even>alternates:arg", "odd>alternates:arg", "indices>zero:arg", "alternates>breaks:keys", "zero>breaks:queries", "breaks>alternating:arg"].sort(),
  );
  const g = programGraph(RASP_CASES["125"].program);
  assert.deepEqual(g.nodes.filter((n) => n.output).map((n) => n.name), ["alternating"]);
  assert.deepEqual(JSON.parse(JSON.stringify(g)), g, "plain data");
});

test("an intervention on a node changes exactly its descendants (dependency graph recovered by brute force)", () => {
  const rng = new Rng(16);
  for (const id of CASE_IDS) {
    const p = RASP_CASES[id].program;
    for (const node of p.nodes) {
      const changed = new Set<string>();
      for (let trial = 0; trial < 150; trial++) {
        const base = sampleInputs(p, 1, rng)[0];
        const set = Array.from({ length: p.length }, () => node.values[rng.int(node.values.length)]);
        const clean = runProgram(p, base);
        const patched = runProgram(p, base, { [node.name]: set });
        assert.deepEqual(patched.values[node.name], set);
        for (const m of p.nodes) if (m.name !== node.name && JSON.stringify(patched.values[m.name]) !== JSON.stringify(clean.values[m.name])) changed.add(m.name);
      }
      // A node with one possible value (a constant such as "two") neither changes nor is changed; an edge into a
      // selector whose predicate ignores its arguments ("length" counts every key) carries nothing.
      const constant = (name: string) => p.nodes.find((n) => n.name === name)!.values.length === 1;
      const edges = programGraph(p).edges.filter((e) => !constant(e.to) && !(e.to === "length" && e.from === "indices"));
      const reach = reachable(edges, node.name);
      assert.deepEqual([...changed].sort(), node.values.length > 1 ? reach : [], `case ${id}, intervention on ${node.name}`);
      assert.deepEqual([...descendants(p, node.name)].sort(), reachable(programGraph(p).edges, node.name));
    }
  }
});

function reachable(edges: { from: string; to: string }[], from: string): string[] {
  const out = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of edges) {
      if (e.from !== n || out.has(e.to)) continue;
      out.add(e.to);
      stack.push(e.to);
    }
  }
  return [...out].sort();
}

test("interchange interventions: patching the tokens from a source reproduces the source run; patching the output gives the source's output only", () => {
  const rng = new Rng(3);
  for (const id of CASE_IDS) {
    const p = RASP_CASES[id].program;
    for (let trial = 0; trial < 20; trial++) {
      const [base, source] = sampleInputs(p, 2, rng);
      const src = runProgram(p, source);
      assert.deepEqual(runProgram(p, base, { tokens: source }).values, src.values);
      const patched = runProgram(p, base, { [p.output]: src.output });
      const clean = runProgram(p, base);
      assert.deepEqual(patched.output, src.output);
      for (const n of p.nodes) if (n.name !== p.output) assert.deepEqual(patched.values[n.name], clean.values[n.name]);
    }
  }
});

test("bad tokens, interventions and programs are refused with InputError naming them", () => {
  const p = RASP_CASES["99"].program;
  assert.throws(() => runProgram(p, [1, 2, 3]), (e: unknown) => e instanceof InputError && /expected 5 tokens/.test(e.message));
  assert.throws(() => runProgram(p, [1, 2, 3, 4, 9]), (e: unknown) => e instanceof InputError && /token 9 at position 4/.test(e.message));
  assert.throws(() => runProgram(p, [1, 2, 3, 4, 5], { nxt: [0, 0, 0, 0, 0] }), (e: unknown) => e instanceof InputError && /no node "nxt"/.test(e.message) && /next/.test(e.message));
  assert.throws(() => runProgram(p, [1, 2, 3, 4, 5], { next: [0, 0] }), (e: unknown) => e instanceof InputError && /"next": expected 5 values/.test(e.message));
  assert.throws(() => runProgram(p, [1, 2, 3, 4, 5], { next: [0, 0, 0, 0, 7] }), (e: unknown) => e instanceof InputError && /value 7 at position 4/.test(e.message));
  const meta = { id: "t", name: "t", vocab: [0, 1], length: 3 };
  assert.throws(() => raspProgram(meta, [map("a", "x", (x) => x, "tokens"), map("a", "x", (x) => x, "tokens")], "a"), /two nodes are named "a"/);
  assert.throws(() => raspProgram(meta, [map("a", "x", (x) => x, "b")], "a"), /reads "b", which is not defined/);
  assert.throws(() => raspProgram(meta, [map("a", "x", (x) => x, "tokens")], "tokens"), /output "tokens" must name/);
  assert.throws(() => raspProgram(meta, [map("a", "x", (x) => x / 0, "tokens")], "a"), /non-finite/);
  assert.throws(() => allInputs(p, 100), /7776 inputs exceed the limit 100/);
});

test("aggregate: the first selected key, 0 when none is selected; selector patterns and labels", () => {
  const p = raspProgram({ id: "t", name: "t", vocab: [1, 2, 3], length: 3 }, [aggregate("a", "first smaller", select("tokens", "tokens", Comparison.LT), "tokens")], "a");
  // position 0 (token 3) selects keys 1 and 2 (tokens 1, 2): the first is 1; token 1 selects nothing: 0
  assert.deepEqual(runProgram(p, [3, 1, 2]).output, [1, 0, 1]);
  assert.deepEqual(p.outputValues, [0, 1, 2, 3]);
  assert.deepEqual(selectorPattern(p, "a", [3, 1, 2]), [[0, 1, 1], [0, 0, 0], [0, 1, 0]]);
  assert.deepEqual(programLabels(RASP_CASES["112"].program, [2, -1, 3, 0, 0]), [7, 4, 8, 5, 5]);
  assert.deepEqual(withBos(p, [3, 1, 2]), [4, 3, 1, 2]);
});

test("allInputs is lexicographic and complete; sampleInputs is seeded and balances the rare positives of 124 and 125", () => {
  const p = RASP_CASES["124"].program;
  const all = allInputs(p);
  assert.deepEqual(all[0], [0, 0, 0, 0, 0]);
  assert.deepEqual(all[1], [0, 0, 0, 0, 1]);
  assert.deepEqual(all[all.length - 1], [5, 5, 5, 5, 5]);
  assert.equal(new Set(all.map((t) => t.join())).size, all.length);
  const a = sampleInputs(p, 200, new Rng(1));
  assert.deepEqual(sampleInputs(p, 200, new Rng(1)), a);
  const positives = (id: string, xs: number[][]) => xs.filter((t) => runProgram(RASP_CASES[id].program, t).output[0] === 1).length;
  // Every other input is drawn positive; uniform draws are positive with probability 6/7776 (124) and 2·3^5/7776 (125).
  assert.ok(positives("124", a) >= 100 && positives("124", a) < 110, `124: ${positives("124", a)}`);
  const b = sampleInputs(RASP_CASES["125"].program, 200, new Rng(2));
  assert.ok(positives("125", b) >= 100 && positives("125", b) < 125, `125: ${positives("125", b)}`);
  const u = sampleInputs(RASP_CASES["59"].program, 2000, new Rng(3));
  const counts = [0, 1, 2, 3, 4, 5].map((v) => u.flat().filter((x) => x === v).length);
  for (const c of counts) assert.ok(Math.abs(c - 10000 / 6) < 200, `uniform token counts ${counts}`);
});
