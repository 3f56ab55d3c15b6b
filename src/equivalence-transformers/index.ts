/** Interpretive equivalence across transformers (issue 17): pipelines of trained models, and the token-level XOR task. */
export * from "./token-xor";
export * from "./token-xor-clustering";
export * from "./token-xor-population";
export * from "./token-xor-figures";
export * from "./pipeline";
export * from "./population";
export * from "./patching";
export * from "./represent";
export * from "./statistics";
