/**
 * Figures are plain data: each builder's output survives a JSON round trip unchanged (`deepEqual`) and passes
 * `assertPlainData` (which rejects typed arrays, NaN, undefined, class instances). A few figures are also compared with
 * golden snapshots in test/fixtures/figures/*.json; after an intended change to one of those figures, regenerate them
 * with `UPDATE_SNAPSHOTS=1 node --import tsx --test test/figures.test.ts` and review the diff before committing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { alignGate, iiaMatrix } from "../src/alignment";
import { circuitOverlaps, findCircuits } from "../src/circuits";
import { candidateFormulas } from "../src/formulas";
import { countGroundings, groundingProblem, iterateGroundings } from "../src/interpretations";
import { neuronName } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { cleanInputs, getGate } from "../src/tasks";
import { trainExperimentSync } from "../src/train";
import { Figure, LABEL_TEXT, assertPlainData, lightFill } from "../src/figures/figure";
import { circuitFigure, circuitUsageFigure, jaccardFigure } from "../src/figures/circuits";
import { groundingFigure, interpretationsPerCircuitFigure } from "../src/figures/interpretations";
import { alignmentOverviewFigure, formulaTreeFigure, iiaMatrixFigure, mappingFigure, mappingsPerFormulaFigure } from "../src/figures/alignment";
import { convergenceFigure, hiddenActivationsFigure, lossCurvesFigure, outputSurfaceFigure } from "../src/figures/training";

const released = loadReleasedModel().model;
const clean = { x: cleanInputs(2), y: Float32Array.from(getGate("XOR").table), n: 4, nInputs: 2, nOutputs: 1 };
const circuits = findCircuits(released, clean).circuits.map((c) => c.masks);
const counts = circuits.slice(0, 5).map((c) => countGroundings(groundingProblem(released, c, cleanInputs(2), 4, "corrected")));
const grounding = iterateGroundings(groundingProblem(released, circuits[0], cleanInputs(2), 4, "corrected")).next().value!;
const formula0 = candidateFormulas("XOR", 3)[0].formula;
const al = alignGate(released, "XOR");
const runs = [0, 1, 2].map((s) => trainExperimentSync({ gates: ["XOR"], seedOffset: s, epochs: 30 }).result);

/** Every figure builder of circuits, interpretations, alignment and training, on real inputs. */
function allFigures(): Record<string, Figure> {
  return {
    circuit: circuitFigure(released, circuits[0], "Perfect circuit 0"),
    circuitUsage: circuitUsageFigure(circuits),
    jaccard: jaccardFigure(circuitOverlaps(circuits.slice(0, 4)).jaccard),
    interpretationsPerCircuit: interpretationsPerCircuitFigure([...counts, 0]),
    grounding: groundingFigure(released, grounding),
    formulaTree: formulaTreeFigure(formula0),
    mapping: mappingFigure(released, al.aligned[0].mappings[0], "Formula 0, mapping 0"),
    iiaMatrix: iiaMatrixFigure(iiaMatrix(released, formula0, { pairSet: "corrected" })),
    mappingsPerFormula: mappingsPerFormulaFigure(al),
    alignmentOverview: alignmentOverviewFigure(released, al),
    lossCurves: lossCurvesFigure(runs, { lossTarget: 0.01 }),
    convergence: convergenceFigure(runs),
    outputSurface: outputSurfaceFigure(released, { resolution: 5 }),
    hiddenActivations: hiddenActivationsFigure(released),
  };
}

const jsonRoundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v));

test("assertPlainData rejects what JSON would change, naming the path; a typed array also fails the round trip", () => {
  assert.doesNotThrow(() => assertPlainData({ data: [{ x: [1, null, "a"], show: true }], layout: {} }));
  assert.throws(() => assertPlainData({ data: [{ z: [new Float32Array(2)] }] }), /figure\.data\[0\]\.z\[0\] is a Float32Array \(convert with Array\.from\)/);
  assert.throws(() => assertPlainData({ y: [1, NaN] }), /figure\.y\[1\] is NaN/);
  assert.throws(() => assertPlainData({ name: undefined }), /figure\.name is undefined/);
  assert.throws(() => assertPlainData({ m: new Map() }), /figure\.m is a Map object/);
  // JSON.stringify alone would not notice: it serialises a typed array as an object with keys "0", "1", …
  const typed = { data: [{ z: Float64Array.of(0.5, 1) }], layout: {} };
  assert.doesNotThrow(() => JSON.stringify(typed));
  assert.throws(() => assert.deepEqual(jsonRoundTrip(typed), typed));
});

test("every figure is plain data and survives a JSON round trip unchanged", () => {
  for (const [name, fig] of Object.entries(allFigures())) {
    assertPlainData(fig, name);
    assert.deepEqual(jsonRoundTrip(fig), fig, name);
    assert.ok(fig.data.length > 0 && typeof fig.layout === "object", name);
  }
});

test("circuit figure: one trace per edge plus the nodes, neurons named L{layer}.{unit}", () => {
  const fig = circuitFigure(released, circuits[0]);
  assert.equal(fig.data.length, 6 + 9 + 3 + 1);
  const nodes = fig.data[fig.data.length - 1];
  assert.deepEqual(nodes.text, [0, 1, 2, 3].flatMap((l) => Array.from({ length: released.layerSizes[l] }, (_, j) => neuronName(l, j))));
  const u = circuitUsageFigure(circuits);
  assert.equal((u.data[1] as any).z[0].length, 18);
  assert.equal((u.data[1] as any).x[0], "L0.0→L1.0");
  assert.equal((jaccardFigure([[1, 0.5], [0.5, 1]]).data[0] as any).z[0][1], 0.5);
});

/** WCAG contrast ratio of two #rrggbb colours (≥ 4.5 reads as normal text). */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("mapping figure labels every neuron once, the coloured ones included; labels are dark on light fills", () => {
  const fig = mappingFigure(released, al.aligned[0].mappings[0]);
  const labelled = fig.data.filter((d) => Array.isArray(d.text)).flatMap((d) => d.text as string[]);
  const sizes = released.layerSizes;
  const expected = ["A", "B", ...[1, 2, 3].flatMap((l) => Array.from({ length: sizes[l] }, (_, j) => neuronName(l, j)))];
  assert.deepEqual([...labelled].sort(), [...expected].sort());
  const coloured = fig.data.filter((d) => d.name !== undefined);
  assert.equal(coloured.length, Object.keys(al.aligned[0].mappings[0]).length);
  for (const d of coloured) {
    assert.equal(d.mode, "markers+text");
    assert.ok(contrast((d.textfont as any).color, (d.marker as any).color) >= 4.5, `label on ${(d.marker as any).color}`);
  }
});

test("formula tree: node labels are dark text on light fills (readable contrast), intermediate variables keep their colour", () => {
  const nodes = formulaTreeFigure(formula0).data[1] as any;
  assert.equal(nodes.textfont.color, LABEL_TEXT);
  for (const fill of nodes.marker.color as string[]) assert.ok(contrast(LABEL_TEXT, fill) >= 4.5, `${LABEL_TEXT} on ${fill}: ${contrast(LABEL_TEXT, fill).toFixed(2)}`);
  assert.equal(new Set(nodes.marker.line.color).size, 3, "two intermediate variables in their colours, the rest grey");
  // the old look fails the same check: white on grey
  assert.ok(contrast("#ffffff", "#bbbbbb") < 4.5);
  assert.equal(lightFill("#000000", 0.5), "#808080");
  assert.throws(() => lightFill("blue"), /#rrggbb/);
});

const SNAPSHOT_DIR = path.join(__dirname, "fixtures", "figures");
const SNAPSHOTS = ["circuit", "circuitUsage", "formulaTree", "mapping", "hiddenActivations"];

test("golden snapshots (UPDATE_SNAPSHOTS=1 regenerates them)", () => {
  const figs = allFigures();
  for (const name of SNAPSHOTS) {
    const file = path.join(SNAPSHOT_DIR, `${name}.json`);
    const fig = jsonRoundTrip(figs[name]);
    if (process.env.UPDATE_SNAPSHOTS === "1") fs.writeFileSync(file, JSON.stringify(fig, null, 1) + "\n");
    assert.ok(fs.existsSync(file), `missing snapshot ${file}: run with UPDATE_SNAPSHOTS=1`);
    assert.deepEqual(fig, JSON.parse(fs.readFileSync(file, "utf8")), `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 after an intended change)`);
  }
});

test("interpretations per circuit: circuits with 0 interpretations stay visible on the log axis", () => {
  const fig = interpretationsPerCircuitFigure([12, 0, 3, 0]);
  assert.deepEqual(fig.data[0].y, [12, null, 3, null]);
  assert.deepEqual([fig.data[1].x, fig.data[1].text], [["C1", "C3"], ["0", "0"]]);
  assert.equal(interpretationsPerCircuitFigure([5, 1]).data.length, 1);
});
