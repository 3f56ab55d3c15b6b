import { test } from "node:test";
import assert from "node:assert/strict";
import { cli, cliError } from "./cli-helpers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { modelFromJson } from "../src/model";
import { trainExperimentSync } from "../src/train";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mi-train-"));

test("train writes the model JSON with its datasets; predict reads it; same numbers as the library", () => {
  const out = path.join(tmp, "xor.json");
  const text = cli("train", "--gates", "XOR", "--seed", "0", "--seed-offset", "4", "--out", out);
  const lib = trainExperimentSync({ gates: ["XOR"], seedOffset: 4 }).result;
  assert.match(text, new RegExp(`^${lib.accepted ? "accepted" : "rejected"}: XOR \\[2,3,3,1\\] seed 4, engine fast`));
  assert.match(text, new RegExp(`epochs ${lib.epochs} \\(stopped: ${lib.stopReason}\\), loss ${lib.loss.toPrecision(6)}, validation accuracy ${lib.valAcc.toFixed(4)}`));
  const file = modelFromJson(JSON.parse(fs.readFileSync(out, "utf8")));
  assert.deepEqual(file.model, lib.model);
  assert.equal(file.val!.n, 200);
  assert.equal(file.xTt!.n, 40);
  const pred = JSON.parse(cli("predict", "--model", out, "--json"));
  assert.deepEqual(pred.inputs, [[0, 0], [0, 1], [1, 0], [1, 1]]);
  assert.deepEqual(pred.labels, [[0], [1], [1], [0]]);
  assert.match(cli("predict", "--model", out), /^input\s+XOR output\s+rounded\s+label\n00 /);
});

test("train --json with options; multi-gate sizes; the tfjs engine", () => {
  const r = JSON.parse(cli("train", "--gates", "AND", "OR", "--sizes", "4,2", "--lr", "0.01", "--loss-target", "0.05", "--json", "--out", path.join(tmp, "andor.json")));
  assert.equal(r.training.lr, 0.01);
  const m = modelFromJson(JSON.parse(fs.readFileSync(r.out, "utf8"))).model;
  assert.deepEqual(m.layerSizes, [2, 4, 2, 2]);
  assert.deepEqual(m.gates, ["AND", "OR"]);
  const t = cli("train", "--gates", "XOR", "--engine", "tfjs", "--epochs", "2", "--out", path.join(tmp, "tf.json"));
  assert.match(t, /TensorFlow.js backend: (cpu|wasm|tensorflow)/);
  assert.match(t, /rejected: XOR .* engine tfjs\n\s+epochs 2 \(stopped: epochs\)/);
});

test("predict on the released model prints its published outputs", () => {
  const pred = JSON.parse(cli("predict", "--model", "data/reference/xor_mlp_meloux2025.json", "--json"));
  [-0.001444, 1.039209, 1.051403, -0.003686].forEach((v, i) => assert.ok(Math.abs(pred.outputs[i][0] - v) < 1e-5));
});

test("bad input: errors name the input and the fix", () => {
  assert.match(cliError("train"), /--gates is required/);
  assert.match(cliError("train", "--gates", "XORR"), /Unknown gate "XORR". Valid gates: AND, OR/);
  assert.match(cliError("train", "--gates", "XOR", "MAJORITY"), /same arity/);
  assert.match(cliError("train", "--gates", "XOR", "--sizes", "3,0"), /--sizes must be a list of positive integers/);
  assert.match(cliError("train", "--gates", "XOR", "--engine", "gpu"), /--engine must be one of fast, tfjs/);
  assert.match(cli("train", "--gates", "XOR", "--lr", "1e30", "--out", path.join(tmp, "div.json")), /rejected: training diverged .* no model written. Lower --lr/);
  assert.ok(!fs.existsSync(path.join(tmp, "div.json")));
  assert.match(cliError("predict"), /--model FILE is required/);
  assert.match(cliError("predict", "--model", path.join(tmp, "none.json")), /does not exist/);
  const bad = path.join(tmp, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ layer_sizes: [2, 3, 1], weights: [[[1, 2]], [[1, 2, 3]]], biases: [[0, 0, 0], [0]], gates: ["XOR"] }));
  assert.match(cliError("predict", "--model", bad), /weights\[0\] must be 3×2/);
});

test("train --out: a folder gets the default file name; a path under a file is refused before training", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-train-dir-"));
  assert.match(cli("train", "--gates", "XOR", "--out", dir), new RegExp(`wrote ${dir}/XOR-3x3-seed0\\.json`));
  assert.ok(fs.existsSync(path.join(dir, "XOR-3x3-seed0.json")));
  const file = path.join(tmp, "plain");
  fs.writeFileSync(file, "x");
  assert.match(cliError("train", "--gates", "XOR", "--out", path.join(file, "m.json")), /train: --out .*plain\/m\.json: .*plain is a file, not a directory; choose another --out/);
  assert.equal(fs.readFileSync(file, "utf8"), "x");
});
