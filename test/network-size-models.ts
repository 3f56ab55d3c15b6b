// Models shared by the exact-counting tests: the network-size study's committed seed-0 models and random networks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MLP, ModelFile, mlpFromArrays, modelFromJson } from "../src/model";
import { Rng } from "../src/rng";

/** The network-size study's seed-0 model of width k ([2,k,k,1]), committed in test/fixtures/network-size/. */
export function fixture(k: number): ModelFile {
  return modelFromJson(JSON.parse(readFileSync(join(__dirname, "fixtures", "network-size", `xor_2-${k}-${k}-1_seed0.json`), "utf8")));
}

/** A random network of these sizes (weights N(0, 1.2²), biases N(0, 0.4²)), labelled XOR. */
export function randomModel(sizes: number[], rng: Rng): MLP {
  return mlpFromArrays(
    sizes,
    sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.2))),
    sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.4)),
    ["XOR"],
  );
}
