// The transformer command: train writes a model whose stored scores `eval` reproduces (same pairs), and a resumed
// population trains only what is missing; bad input names the option.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli, cliError } from "./cli-helpers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { transformerFromJson } from "../src/transformer";
import { deriveSeed } from "../src/rng";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mi-transformer-"));
const tiny = ["--epochs", "1", "--n-train", "128", "--batch-size", "64", "--lr", "0.01", "--backend", "cpu"];

test("transformer train writes a model; eval with the trainer's pairs gives its stored scores", () => {
  const out = path.join(tmp, "m48.json");
  const text = cli("transformer", "train", "--case", "48", "--seed", "2", ...tiny, "--out", out);
  assert.match(text, /TensorFlow\.js backend: cpu/);
  assert.match(text, /case 48 \(increment by index\): 2 layers, d_model 8, 4 heads × 2, d_mlp 32; 1874 parameters/);
  assert.match(text, /epoch L_beh L_iit L_strict/);
  const file = transformerFromJson(JSON.parse(fs.readFileSync(out, "utf8")));
  const stored = file.meta.scores as { accuracy: number; iiaMean: number };
  const evalJson = JSON.parse(cli("transformer", "eval", "--model", out, "--seed", String(deriveSeed(2, "siit", "eval")), "--json"));
  assert.equal(evalJson.accuracy, stored.accuracy);
  assert.equal(evalJson.iiaMean, stored.iiaMean);
});

test("transformer population appends records and --resume trains only the missing seeds", () => {
  const out = path.join(tmp, "pop");
  cli("transformer", "population", "--out", out, "--cases", "48", "--seeds", "1", "--workers", "0", ...tiny);
  assert.equal(fs.readFileSync(path.join(out, "records.jsonl"), "utf8").trim().split("\n").length, 1);
  assert.match(cliError("transformer", "population", "--out", out, "--cases", "48", "--seeds", "1", "--workers", "0", ...tiny), /already holds a population.*--resume/);
  const text = cli("transformer", "population", "--out", out, "--cases", "48", "--seeds", "2", "--workers", "0", "--resume", ...tiny);
  assert.match(text, /1 trained, 1 already done/);
  assert.equal(fs.readFileSync(path.join(out, "records.jsonl"), "utf8").trim().split("\n").length, 2);
  assert.match(cliError("transformer", "population", "--out", out, "--cases", "48", "--seeds", "2", "--workers", "0", "--resume", ...tiny.map((x) => (x === "0.01" ? "0.02" : x))), /other settings/);
});

test("a population trained on 2 worker threads has the same records and weights as in this thread", () => {
  const [inThread, threaded] = ["pop-0", "pop-2"].map((d) => path.join(tmp, d));
  cli("transformer", "population", "--out", inThread, "--cases", "48", "--seeds", "2", "--workers", "0", ...tiny);
  cli("transformer", "population", "--out", threaded, "--cases", "48", "--seeds", "2", "--workers", "2", ...tiny);
  // Records are appended as models finish: on 2 threads the order can differ, so compare them by key.
  const read = (dir: string) =>
    fs.readFileSync(path.join(dir, "records.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).map(({ seconds: _s, ...r }) => r).sort((a, b) => a.key.localeCompare(b.key));
  assert.deepEqual(read(threaded), read(inThread));
  const models = (dir: string) => fs.readdirSync(path.join(dir, "models")).sort();
  assert.deepEqual(models(threaded), models(inThread));
  for (const f of models(inThread)) {
    const weights = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "models", f), "utf8")).weights;
    assert.deepEqual(weights(threaded), weights(inThread), f);
  }
});

test("transformer names bad input", () => {
  assert.match(cliError("transformer", "train", "--case", "7"), /unknown case "7"; the cases are 48, 59/);
  assert.match(cliError("transformer", "fly"), /unknown subcommand "fly"/);
  assert.match(cliError("transformer", "eval"), /--model FILE is required/);
  assert.match(cli("transformer", "--help"), /transformer population --out DIR/);
});
