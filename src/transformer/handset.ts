/**
 * A transformer whose weights are written by hand to implement InterpBench case 48 (each token plus its index)
 * through the constant correspondence (the node `incremented` ↦ every neuron of block 0's MLP): the check that the
 * evaluator's accuracy, IIA and strict accuracy measure what they claim (all three are 1 on it).
 *
 * Residual stream (dModel 24): dims 0–6 the token one-hot (BOS included), 7–12 the position one-hot, 13–22 the
 * one-hot of the output value, 23 unused. Block 0's MLP has one neuron per (token a, index b) pair,
 * pre = k·(1[token = a] + 1[index = b] − 1.5), which is k/2 when both hold and ≤ −k/2 otherwise, so GELU passes it
 * only then; it writes 1 to the dimension of a + b. The unembedding reads those dimensions only. Attention (W_O = 0)
 * and block 1's MLP (W_out = 0) write nothing, so resampling them (strict accuracy) changes nothing.
 */
import { RaspProgram } from "../rasp/program";
import { InputError } from "../errors";
import { Transformer, TransformerConfig, initTransformer, transformerWeights } from "./types";

/** Sharpness of the neurons' AND: GELU(−k/2) must be ~0 and GELU(k/2) ~k/2. */
const K = 20;

export function handSetCase48(program: RaspProgram): Transformer {
  if (program.id !== "48") throw new InputError(`handSetCase48: the hand-set weights implement case 48 (token + index), not ${program.id}.`);
  const nTok = program.bos + 1;
  const L = program.length;
  const outValues = program.outputValues;
  const pairs = program.vocab.length * L;
  const config: TransformerConfig = { nLayers: 2, dModel: 24, nHeads: 4, dHead: 6, dMlp: Math.max(32, pairs), nCtx: L + 1, dVocab: nTok, dVocabOut: outValues.length, act: "gelu", layerNorm: false };
  if (nTok + (L + 1) + outValues.length > config.dModel) throw new InputError(`handSetCase48: program 48's vocabulary, length and outputs do not fit a residual stream of ${config.dModel}.`);
  const m = initTransformer(config, 0);
  for (const w of transformerWeights(m)) w.data.fill(0);
  const D = config.dModel;
  const M = config.dMlp;
  const posDim = (t: number) => nTok + t;
  const outDim = (c: number) => nTok + L + 1 + c;
  for (let t = 0; t < nTok; t++) m.wE[t * D + t] = 1;
  for (let t = 0; t <= L; t++) m.wPos[t * D + posDim(t)] = 1;
  const mlp = m.blocks[0];
  let j = 0;
  for (const a of program.vocab)
    for (let b = 0; b < L; b++, j++) {
      // token a at position b + 1 (index b: positions after BOS)
      mlp.wIn[a * M + j] = K;
      mlp.wIn[posDim(b + 1) * M + j] = K;
      mlp.bIn[j] = -1.5 * K;
      const c = outValues.indexOf(a + b);
      if (c < 0) throw new InputError(`handSetCase48: ${a} + ${b} is not an output value of program 48.`);
      mlp.wOut[j * D + outDim(c)] = 2 / K;
    }
  for (let c = 0; c < outValues.length; c++) m.wU[outDim(c) * outValues.length + c] = 10;
  return m;
}
