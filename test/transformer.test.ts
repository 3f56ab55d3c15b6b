// The hooked transformer: the plain typed-array pass against the TensorFlow.js pass (two independent
// implementations, 1e-5), tfjs gradients against finite differences of the float64 pass, interventions and patches,
// errors naming the bad hook / head / position / neuron, and model files.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { loadTf } from "../src/backend";
import { InputError } from "../src/errors";
import {
  TransformerConfig,
  accumulatedResidual,
  erf,
  forwardCore,
  initTransformer,
  parseTransformerHook,
  runTransformerWithCache,
  tfCrossEntropy,
  tfTransformer,
  transformerFromJson,
  transformerHookNames,
  transformerParameterCount,
  transformerToJson,
  transformerWeights,
} from "../src/transformer";
import { Rng } from "../src/rng";

const CONFIG: TransformerConfig = { nLayers: 2, dModel: 12, nHeads: 4, dHead: 3, dMlp: 48, nCtx: 6, dVocab: 7, dVocabOut: 5, act: "gelu", layerNorm: false };
let tf: any;
before(async () => {
  tf = (await loadTf("cpu")).tf;
});

const HYPER = { lr: 1e-3, beta1: 0.9, beta2: 0.9, eps: 1e-8, clip: 0.1 };

function randomTokens(n: number, T: number, V: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: T }, () => rng.int(V)));
}

/** A model with every weight random (biases and LayerNorm too), so no term of the pass hides behind a zero. */
function randomModel(config: TransformerConfig, seed: number) {
  const m = initTransformer(config, seed);
  const rng = new Rng(seed + 1000);
  for (const w of transformerWeights(m)) for (let i = 0; i < w.data.length; i++) w.data[i] = w.name.endsWith("ln1.w") || w.name.endsWith("ln2.w") || w.name === "ln_final.w" ? 1 + 0.3 * rng.normal() : 0.2 * rng.normal();
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test("erf matches reference values to 1e-12", () => {
  // erf(x) from tables (Abramowitz & Stegun 7.1 / high-precision libraries).
  const table: [number, number][] = [[0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [2.9, 0.9999589021219005], [3.1, 0.9999883513426328], [4, 0.9999999845827421], [-1.5, -0.9661051464753108]];
  for (const [x, y] of table) assert.ok(Math.abs(erf(x) - y) < 1e-12, `erf(${x}) = ${erf(x)}, expected ${y}`);
});

for (const layerNorm of [false, true]) {
  test(`TensorFlow.js pass equals the plain pass on every hook to 1e-5 (layerNorm ${layerNorm})`, () => {
    const config = { ...CONFIG, layerNorm };
    const model = randomModel(config, 3);
    const tokens = randomTokens(5, 6, config.dVocab, 4);
    const plain = runTransformerWithCache(model, tokens);
    const tm = tfTransformer(tf, model, HYPER);
    const names = transformerHookNames(config);
    const { logits, hooks } = tm.forward(tokens, { keep: names });
    assert.ok(maxAbsDiff(logits.dataSync(), plain.logits.data) < 1e-5, "logits");
    for (const h of names) {
      assert.deepEqual(hooks[h].shape, plain.cache[h].shape, h);
      assert.ok(maxAbsDiff(hooks[h].dataSync(), plain.cache[h].data) < 1e-5, h);
    }
    // Shorter sequences too (positions 0…T−1 of the position embedding).
    const short = randomTokens(2, 4, config.dVocab, 5);
    assert.ok(maxAbsDiff(tm.forward(short).logits.dataSync(), runTransformerWithCache(model, short).logits.data) < 1e-5);
    tf.dispose([logits, ...Object.values(hooks)]);
    tm.dispose();
  });
}

test("the plain pass's attention pattern is a softmax over keys and the logits are the unembedded final residual", () => {
  const model = randomModel(CONFIG, 8);
  const tokens = randomTokens(3, 6, CONFIG.dVocab, 9);
  const { cache, logits } = runTransformerWithCache(model, tokens);
  const pat = cache["blocks.1.attn.hook_pattern"];
  for (let r = 0; r < pat.data.length / 6; r++) {
    let s = 0;
    for (let j = 0; j < 6; j++) s += pat.data[r * 6 + j];
    assert.ok(Math.abs(s - 1) < 1e-6);
  }
  // logits = resid_post(last) · W_U + b_U, recomputed here.
  const resid = cache["blocks.1.hook_resid_post"].data;
  const V = CONFIG.dVocabOut;
  for (let r = 0; r < 18; r++)
    for (let o = 0; o < V; o++) {
      let s = model.bU[o];
      for (let d = 0; d < 12; d++) s += resid[r * 12 + d] * model.wU[d * V + o];
      assert.ok(Math.abs(s - logits.data[r * V + o]) < 1e-4);
    }
  const acc = accumulatedResidual(cache);
  assert.deepEqual(acc.shape, [3, 3, 6, 12]);
  assert.deepEqual(Array.from(acc.data.subarray(2 * 216)), Array.from(resid));
});

test("tfjs gradients equal central finite differences of the float64 pass (tiny model, with LayerNorm)", () => {
  const config: TransformerConfig = { nLayers: 1, dModel: 4, nHeads: 2, dHead: 2, dMlp: 6, nCtx: 3, dVocab: 4, dVocabOut: 3, act: "gelu", layerNorm: true };
  const model = randomModel(config, 11);
  const tokens = randomTokens(3, 3, 4, 12);
  const labels = [[-1, 0, 2], [-1, 1, 1], [-1, 2, 0]];
  const tm = tfTransformer(tf, model, HYPER);
  const list = [...tm.vars.values()];
  const { grads } = tf.variableGrads(() => tfCrossEntropy(tf, tm.forward(tokens).logits, labels), list);
  const ce = (): number => {
    const { logits } = forwardCore(model, tokens, [], () => false);
    let s = 0;
    labels.forEach((row, b) =>
      row.forEach((y, t) => {
        if (y < 0) return;
        const at = (b * 3 + t) * 3;
        const mx = Math.max(logits[at], logits[at + 1], logits[at + 2]);
        const lse = mx + Math.log(Math.exp(logits[at] - mx) + Math.exp(logits[at + 1] - mx) + Math.exp(logits[at + 2] - mx));
        s += lse - logits[at + y];
      }),
    );
    return s / 6;
  };
  let checked = 0;
  const ws = transformerWeights(model);
  const names = [...tm.vars.keys()];
  for (const w of ws) {
    const g = grads[tm.vars.get(w.name).name].dataSync();
    for (const i of [0, Math.floor(w.data.length / 2), w.data.length - 1]) {
      const orig = w.data[i];
      const h = 1e-2;
      w.data[i] = orig + h;
      const up = ce();
      w.data[i] = orig - h;
      const down = ce();
      w.data[i] = orig;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - g[i]) < 2e-3 + 2e-2 * Math.abs(fd), `${w.name}[${i}]: tfjs ${g[i]}, finite difference ${fd}`);
      checked++;
    }
  }
  assert.equal(names.length, ws.length);
  assert.ok(checked >= 3 * 18);
  tf.dispose(Object.values(grads));
  tm.dispose();
});

test("empty intervention list is the identity; patching every head's z from a source reproduces the source's attention output", () => {
  const model = randomModel(CONFIG, 21);
  const base = randomTokens(4, 6, CONFIG.dVocab, 22);
  const source = randomTokens(4, 6, CONFIG.dVocab, 23);
  const clean = runTransformerWithCache(model, base);
  const empty = runTransformerWithCache(model, base, { interventions: [] });
  assert.deepEqual(Array.from(empty.logits.data), Array.from(clean.logits.data));
  const src = runTransformerWithCache(model, source);
  for (const l of [0, 1]) {
    const patched = runTransformerWithCache(model, base, { interventions: [{ kind: "interchange", site: { hook: `blocks.${l}.attn.hook_z` }, source }] });
    assert.ok(maxAbsDiff(patched.cache[`blocks.${l}.hook_attn_out`].data, src.cache[`blocks.${l}.hook_attn_out`].data) < 1e-6, `layer ${l}`);
    // Layer 1's patch leaves layer 0 alone.
    if (l === 1) assert.deepEqual(Array.from(patched.cache["blocks.0.hook_attn_out"].data), Array.from(clean.cache["blocks.0.hook_attn_out"].data));
  }
});

test("interventions select heads, positions, neurons and rows exactly", () => {
  const model = randomModel(CONFIG, 31);
  const base = randomTokens(3, 6, CONFIG.dVocab, 32);
  const source = randomTokens(1, 6, CONFIG.dVocab, 33);
  const clean = runTransformerWithCache(model, base);
  const src = runTransformerWithCache(model, source);
  const run = runTransformerWithCache(model, base, { interventions: [{ kind: "interchange", site: { hook: "blocks.0.attn.hook_z", heads: [2], positions: [1, 4], rows: [0, 2] }, source }] });
  const z = run.cache["blocks.0.attn.hook_z"].data;
  const zc = clean.cache["blocks.0.attn.hook_z"].data;
  const zs = src.cache["blocks.0.attn.hook_z"].data;
  for (let b = 0; b < 3; b++)
    for (let t = 0; t < 6; t++)
      for (let h = 0; h < 4; h++)
        for (let e = 0; e < 3; e++) {
          const i = ((b * 6 + t) * 4 + h) * 3 + e;
          const patched = b !== 1 && h === 2 && (t === 1 || t === 4);
          assert.equal(z[i], patched ? zs[(t * 4 + h) * 3 + e] : zc[i]);
        }
  const zeroed = runTransformerWithCache(model, base, { interventions: [{ kind: "zero", site: { hook: "blocks.1.mlp.hook_post", units: [3, 7], positions: [5] } }] });
  const post = zeroed.cache["blocks.1.mlp.hook_post"].data;
  const postc = clean.cache["blocks.1.mlp.hook_post"].data;
  for (let i = 0; i < post.length; i++) {
    const t = Math.floor(i / 48) % 6;
    const m = i % 48;
    assert.equal(post[i], t === 5 && (m === 3 || m === 7) ? 0 : postc[i]);
  }
  // set with values in axis order (positions × heads × units); add; mean over a reference; resample rows.
  const set = runTransformerWithCache(model, base, { interventions: [{ kind: "set", site: { hook: "blocks.0.attn.hook_v", positions: [0], heads: [1, 3], units: [2] }, values: [5, 6] }] });
  const vv = set.cache["blocks.0.attn.hook_v"].data;
  assert.equal(vv[(0 * 4 + 1) * 3 + 2], 5);
  assert.equal(vv[(0 * 4 + 3) * 3 + 2], 6);
  const res = runTransformerWithCache(model, base, { interventions: [{ kind: "resample", site: { hook: "blocks.1.hook_resid_mid" }, reference: base, sourceRows: [2, 0, 1] }] });
  assert.deepEqual(Array.from(res.cache["blocks.1.hook_resid_mid"].data.subarray(0, 72)), Array.from(clean.cache["blocks.1.hook_resid_mid"].data.subarray(144, 216)));
});

test("a tfjs patch of z from a source run equals the plain interchange intervention", () => {
  const model = randomModel(CONFIG, 41);
  const base = randomTokens(4, 6, CONFIG.dVocab, 42);
  const source = randomTokens(4, 6, CONFIG.dVocab, 43);
  const tm = tfTransformer(tf, model, HYPER);
  const srcRun = tm.forward(source, { keep: ["blocks.0.attn.hook_z", "blocks.1.mlp.hook_post"] });
  const zMask = new Float32Array(6 * 4 * 3);
  for (let t = 0; t < 6; t++) for (let e = 0; e < 3; e++) zMask[(t * 4 + 1) * 3 + e] = 1;
  const nMask = new Float32Array(6 * 48);
  for (let t = 0; t < 6; t++) nMask[t * 48 + 10] = nMask[t * 48 + 11] = 1;
  const patched = tm.forward(base, {
    patches: [
      { hook: "blocks.0.attn.hook_z", mask: zMask, values: srcRun.hooks["blocks.0.attn.hook_z"] },
      { hook: "blocks.1.mlp.hook_post", mask: nMask, values: srcRun.hooks["blocks.1.mlp.hook_post"] },
    ],
  });
  const plain = runTransformerWithCache(model, base, {
    interventions: [
      { kind: "interchange", site: { hook: "blocks.0.attn.hook_z", heads: [1] }, source },
      { kind: "interchange", site: { hook: "blocks.1.mlp.hook_post", units: [10, 11] }, source },
    ],
  });
  assert.ok(maxAbsDiff(patched.logits.dataSync(), plain.logits.data) < 1e-5);
  tm.dispose();
});

test("bad hooks, heads, positions, neurons and tokens get an InputError naming them and the valid range", () => {
  const model = initTransformer(CONFIG, 0);
  const base = randomTokens(2, 6, CONFIG.dVocab, 1);
  const bad = (iv: any, re: RegExp) => assert.throws(() => runTransformerWithCache(model, base, { interventions: [iv] }), (e: Error) => e instanceof InputError && re.test(e.message));
  bad({ kind: "zero", site: { hook: "blocks.0.attn.hook_zz" } }, /unknown hook "blocks\.0\.attn\.hook_zz".*valid hooks/);
  bad({ kind: "zero", site: { hook: "blocks.2.attn.hook_z" } }, /layer 2 is out of range.*blocks 0…1/);
  bad({ kind: "zero", site: { hook: "blocks.0.attn.hook_z", heads: [4] } }, /head 4 is out of range.*heads 0…3/);
  bad({ kind: "zero", site: { hook: "blocks.0.attn.hook_z", positions: [6] } }, /position 6 is out of range.*positions 0…5/);
  bad({ kind: "zero", site: { hook: "blocks.1.mlp.hook_post", units: [48] } }, /unit 48 is out of range.*units 0…47/);
  bad({ kind: "zero", site: { hook: "blocks.1.mlp.hook_post", heads: [0] } }, /has no heads/);
  bad({ kind: "zero", site: { hook: "blocks.0.hook_resid_pre", rows: [2] } }, /row 2 is out of range.*batch of 2/);
  bad({ kind: "interchange", site: { hook: "blocks.0.attn.hook_z" }, source: [[0, 1, 2]] }, /source rows hold 3 tokens; the base batch has 6/);
  bad({ kind: "set", site: { hook: "blocks.0.attn.hook_z", heads: [0] }, values: [1] }, /values must hold 18 values/);
  bad({ kind: "explode", site: { hook: "hook_embed" } }, /kind must be one of/);
  assert.throws(() => runTransformerWithCache(model, [[0, 1, 9]]), /token 9 at row 0, position 2 is out of range; the vocabulary is 0…6/);
  assert.throws(() => runTransformerWithCache(model, [[0, 1, 2, 3, 4, 5, 6]]), /1…6 tokens/);
  assert.throws(() => runTransformerWithCache(model, base, { names: ["hook_resid"] }), /unknown hook "hook_resid"/);
  assert.deepEqual(parseTransformerHook(CONFIG, "blocks.1.attn.hook_pattern").shape, [4, 6, 6]);
});

test("model files round-trip exactly (numbers and base64) and bad files name the bad field", () => {
  const model = randomModel({ ...CONFIG, layerNorm: true }, 51);
  for (const encoding of ["numbers", "base64"] as const) {
    const json = JSON.parse(JSON.stringify(transformerToJson(model, { encoding, meta: { program: "59" } })));
    const back = transformerFromJson(json);
    assert.equal(back.meta.program, "59");
    for (const [a, b] of transformerWeights(model).map((w, i) => [w, transformerWeights(back.model)[i]])) assert.deepEqual(Array.from(b.data), Array.from(a.data), a.name);
  }
  const json: any = transformerToJson(model);
  assert.equal(transformerParameterCount(model.config), transformerWeights(model).reduce((s, w) => s + w.data.length, 0));
  assert.throws(() => transformerFromJson({ ...json, format: "mlp" }), /format must be "mi-transformer"/);
  assert.throws(() => transformerFromJson({ ...json, config: { ...json.config, nHeads: 0 } }), /nHeads must be a positive integer/);
  assert.throws(() => transformerFromJson({ ...json, weights: { ...json.weights, "blocks.1.wQ": [1, 2] } }), /weights\["blocks\.1\.wQ"\] holds 2 values; the config needs 4×12×3 = 144/);
  const { "ln_final.w": _drop, ...noLn } = json.weights;
  assert.throws(() => transformerFromJson({ ...json, weights: noLn }), /weights\["ln_final\.w"\] is missing/);
  assert.throws(() => transformerFromJson({ ...json, weights: { ...json.weights, "blocks.0.wQ": json.weights["blocks.0.wQ"].map((v: number, i: number) => (i === 5 ? null : v)) } }), /blocks\.0\.wQ\[5\] is not finite/);
});
