/**
 * Figures of the transformer half, built from the programs themselves (no training): plain data, structure checked
 * against the inputs (one heat map per head, each mapped head outlined in its node's colour, one rectangle per run of
 * neurons), and golden snapshots in test/fixtures/figures/transformer-*.json. After an intended change, regenerate
 * them with `UPDATE_SNAPSHOTS=1 node --import tsx --test test/transformer-figures.test.ts` and review the diff.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Rng } from "../src/rng";
import { assertPlainData, Figure } from "../src/figures/figure";
import { RASP_CASES, computedNodes, constantCorrespondence, interpBenchConfig, programAttention, randomCorrespondence, runProgram } from "../src/rasp";
import { attentionFromCache, attentionPatternsFigure, correspondenceFigure, iiaPerNodeFigure, nodeColours, programGraphFigure } from "../src/figures/transformer";

const p59 = RASP_CASES["59"].program;
const c59 = interpBenchConfig(p59);
const corr59 = constantCorrespondence(p59, c59);
const tokens = [3, 1, 4, 1, 5];
const positions = ["BOS", ...tokens.map(String)];
const patterns = programAttention(p59, c59, corr59, tokens);

function figures(): Record<string, Figure> {
  return {
    programGraph: programGraphFigure(RASP_CASES["125"].program),
    attentionPatterns: attentionPatternsFigure(patterns, { positions, correspondence: corr59, program: p59 }),
    iiaPerNode: iiaPerNodeFigure({ unique_keys: 1, sorted_position: 0.875, sorted: 0.5 }, { program: p59 }),
    correspondence: correspondenceFigure(RASP_CASES["125"].program, interpBenchConfig(RASP_CASES["125"].program), constantCorrespondence(RASP_CASES["125"].program, interpBenchConfig(RASP_CASES["125"].program))),
  };
}

test("every transformer figure is plain data and survives a JSON round trip", () => {
  for (const [name, fig] of Object.entries(figures())) {
    assertPlainData(fig, name);
    assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig, name);
  }
});

test("programAttention: tracr's patterns (aggregate on its selected key, selector width's BOS weight 1/(width + 1))", () => {
  const run = runProgram(p59, tokens);
  // sorted_position (layer 1, head 0) is a selector width: BOS gets 1/(count + 1), which recovers the count
  for (let q = 1; q <= 5; q++) {
    const row = patterns[1][0][q];
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(Math.abs(1 / row[0] - 1 - run.values.sorted_position[q - 1]) < 1e-9);
  }
  // sorted (layer 2, head 0) reads, for output position q, the one token whose sorted position is q
  for (let q = 1; q <= 5; q++) {
    const k = patterns[2][0][q].indexOf(1);
    assert.equal(tokens[k - 1], run.output[q - 1]);
  }
  // unmapped heads attend to BOS only
  assert.deepEqual(patterns[0][2][3], [1, 0, 0, 0, 0, 0]);
});

test("attention grid: one heat map per head with the given patterns; mapped heads outlined and titled with their node", () => {
  const fig = attentionPatternsFigure(patterns, { positions, correspondence: corr59, program: p59 });
  assert.equal(fig.data.length, c59.nLayers * c59.nHeads);
  assert.deepEqual(fig.data[1 * c59.nHeads + 0].z, patterns[1][0]);
  assert.equal(fig.data[5].xaxis, "x6");
  const shapes = fig.layout.shapes as { line: { color: string } }[];
  const colours = nodeColours(p59);
  assert.deepEqual(shapes.map((s) => s.line.color), [colours.sorted_position, colours.sorted]);
  const titles = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.ok(titles.includes("L1 H0 · sorted_position") && titles.includes("L2 H0 · sorted") && titles.includes("L0 H3"));
});

test("attentionFromCache reads [rows, heads, queries, keys] per layer, one row", () => {
  // two rows, two heads, three positions: the value encodes its own indices
  const data = Float32Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i);
  const cache = { "blocks.0.attn.hook_pattern": { shape: [2, 2, 3, 3], data }, "blocks.1.attn.hook_pattern": { shape: [2, 2, 3, 3], data: data.map((x) => -x) } };
  const p = attentionFromCache(cache, 1);
  assert.equal(p.length, 2);
  assert.equal(p[0][1][2][0], ((1 * 2 + 1) * 3 + 2) * 3 + 0);
  assert.equal(p[1][0][0][2], -(((1 * 2 + 0) * 3 + 0) * 3 + 2));
  assert.throws(() => attentionFromCache(cache, 2), /row 2 is out of range; the cache holds rows 0–1/);
  assert.throws(() => attentionFromCache({}), /no blocks\.\{l\}\.attn\.hook_pattern/);
});

test("correspondence figure: heads and neuron runs filled in their node's colour, one legend entry per node", () => {
  const p = RASP_CASES["125"].program;
  const config = interpBenchConfig(p);
  const corr = randomCorrespondence(p, config, new Rng(4), { neuronShare: 0.5 });
  const fig = correspondenceFigure(p, config, corr);
  const legend = fig.data.filter((d) => d.showlegend !== false).map((d) => d.name);
  assert.deepEqual(legend, computedNodes(p).map((n) => n.name));
  // shapes: per layer, its heads and the MLP strip, then one rectangle per run of consecutive neurons of one node
  const runs = Object.values(corr)
    .flat()
    .flatMap((s) => (s.component === "mlp" ? [s.neurons.filter((j, i) => i === 0 || s.neurons[i - 1] !== j - 1).length] : []))
    .reduce((a, b) => a + b, 0);
  assert.equal((fig.layout.shapes as unknown[]).length, config.nLayers * (config.nHeads + 1) + runs);
  const hover = fig.data.flatMap((d) => (d.hovertext as string[] | undefined) ?? []);
  const head = (corr.previous[0] as { heads: number[] }).heads[0];
  assert.ok(hover.includes(`L0 H${head} → previous`), hover.join("; "));
});

test("program graph: a marker per node, a segment per edge, columns by sublayer", () => {
  const p = RASP_CASES["125"].program;
  const fig = programGraphFigure(p);
  const [edges, nodes] = fig.data as { x: (number | null)[]; text?: string[] }[];
  assert.equal(edges.x.length, 3 * p.nodes.reduce((s, n) => s + n.inputs.length, 0));
  assert.deepEqual(nodes.text, p.nodes.map((n) => n.name));
  // breaks is attn 2 (sublayer 4, column 5); alternating mlp 3 (column 8)
  const x = (name: string) => nodes.x[p.nodes.findIndex((n) => n.name === name)];
  assert.deepEqual([x("tokens"), x("previous"), x("odd"), x("alternates"), x("breaks"), x("alternating")], [0, 1, 2, 4, 5, 8]);
});

test("IIA bars: the values given, in the node colours, with the 0.8 threshold", () => {
  const fig = iiaPerNodeFigure({ unique_keys: 1, sorted_position: 0.875, sorted: 0.5 }, { program: p59 });
  assert.deepEqual(fig.data[0].y, [1, 0.875, 0.5]);
  const colours = nodeColours(p59);
  assert.deepEqual((fig.data[0].marker as { color: string[] }).color, [colours.unique_keys, colours.sorted_position, colours.sorted]);
  assert.equal((fig.layout.shapes as { y0: number }[])[0].y0, 0.8);
});

test("golden snapshots (UPDATE_SNAPSHOTS=1 regenerates them)", () => {
  const dir = path.join(__dirname, "fixtures", "figures");
  for (const [name, fig] of Object.entries(figures())) {
    const file = path.join(dir, `transformer-${name}.json`);
    if (process.env.UPDATE_SNAPSHOTS === "1") fs.writeFileSync(file, JSON.stringify(fig, null, 1) + "\n");
    assert.ok(fs.existsSync(file), `missing snapshot ${file}: run with UPDATE_SNAPSHOTS=1`);
    assert.deepEqual(fig, JSON.parse(fs.readFileSync(file, "utf8")), `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 after an intended change)`);
  }
});
