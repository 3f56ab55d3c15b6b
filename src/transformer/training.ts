// SIIT training and evaluation of transformers against RASP programs (they build on src/rasp/, a later stage than
// the hooked transformer itself, so they have their own entry point).
export * from "./evaluate";
export * from "./siit";
export * from "./handset";
export * from "./population";
