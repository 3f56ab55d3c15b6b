/**
 * A hand-built XOR network whose second hidden layer holds the variables of ¬(A∧B)∧(A∨B) in rotated directions: the
 * oracle of DAS. Layer 1 computes p = LeakyReLU(A + B) (which carries A∨B) and q = LeakyReLU(A + B − 1) (A∧B) on
 * separate neurons; layer 2 (width w ≥ 2) is Q·(p, q, 0, …) + 3 with Q a fixed rotation (the offset keeps every
 * pre-activation positive, so LeakyReLU is the identity there); the output is LeakyReLU(p − 2q) read back through
 * Qᵀ. In layer 2 each neuron mixes both variables, so no neuron set of that layer aligns the formula (at the default
 * angle 1.1; some angles leave a neuron-aligned solution on the four clean inputs), while the rotation Qᵀ, whose
 * first two rows are the directions of p and q, aligns it with IIA 1.
 */
import { MLP, validateMLP } from "../model";
import { rotationFromAngles } from "./rotation";

/** Q of the network: for width 2 the plane rotation by `angle`; wider, every Givens angle equal to `angle`. */
export function rotatedXorBasis(angle = 1.1, width = 2): Float64Array {
  return rotationFromAngles(new Array((width * (width - 1)) / 2).fill(angle), width);
}

export function rotatedXorNetwork(angle = 1.1, width = 2): MLP {
  const Q = rotatedXorBasis(angle, width);
  const offset = 3;
  // Layer 2 reads (p, q): columns 0 and 1 of Q. Readout r = [1, −2, 0, …]·Qᵀ, i.e. r_j = Q[j][0] − 2 Q[j][1].
  const W2 = new Float32Array(width * 2);
  const r = new Float32Array(width);
  for (let j = 0; j < width; j++) {
    W2[j * 2] = Q[j * width];
    W2[j * 2 + 1] = Q[j * width + 1];
    r[j] = Q[j * width] - 2 * Q[j * width + 1];
  }
  let rSum = 0;
  for (let j = 0; j < width; j++) rSum += r[j];
  return validateMLP({
    layerSizes: [2, 2, width, 1],
    weights: [Float32Array.from([1, 1, 1, 1]), W2, r],
    biases: [Float32Array.from([0, -1]), new Float32Array(width).fill(offset), Float32Array.from([-offset * rSum])],
    gates: ["XOR"],
  }, "rotatedXorNetwork");
}
