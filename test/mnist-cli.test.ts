// The mnist command: help, a model written by `mnist train` read back by `mnist tail`, the same numbers as the
// library, and clear refusals (no subcommand, a model of the wrong input width).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli, cliError } from "./cli-helpers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { modelFromJson } from "../src/model";
import { loadMnist, tailCircuits, trainMnistSync } from "../src/mnist";


test("mnist --help names both subcommands and the study", () => {
  const help = cli("mnist", "--help");
  assert.match(help, /mnist train \[options\]/);
  assert.match(help, /mnist tail \[--model FILE \| --seed S\]/);
  assert.match(help, /run mnist --experiments N/);
  assert.match(cli("run", "--help"), /Studies: .*mnist/);
});

test("mnist train writes the library's model; mnist tail reads it and counts the library's circuits", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mi-mnist-"));
  try {
    const out = path.join(tmp, "m.json");
    const trained = JSON.parse(cli("mnist", "train", "--seed", "7", "--epochs", "1", "--out", out, "--json"));
    const lib = trainMnistSync({ seed: 7, epochs: 1 });
    const file = modelFromJson(JSON.parse(fs.readFileSync(out, "utf8")));
    assert.deepEqual(file.model, lib.model);
    assert.equal(trained.test_accuracy, lib.testAccuracy);
    const r = JSON.parse(cli("mnist", "tail", "--model", out, "--json"));
    const t = tailCircuits(lib.model, loadMnist().test, { metrics: false });
    assert.equal(r.split_exact, true);
    assert.deepEqual(r.tail, [3, 3, 3, 1]);
    assert.equal(r.tail_candidates, 24366);
    assert.equal(r.perfect_circuits, t.search.circuits.length);
    assert.equal(r.whole_network_candidates, t.wholeCandidates.toString());
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("mnist refuses a missing subcommand and a model that does not read 784 pixels", () => {
  assert.match(cliError("mnist"), /mnist: give a subcommand, train or tail/);
  assert.match(cliError("mnist", "tail", "--model", "data/reference/xor_mlp_meloux2025.json"), /rows have 784 values but the network \[2,3,3,1\] takes 2 inputs/);
});
