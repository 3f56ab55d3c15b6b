// Candidate algorithms (SPEC 6): formula trees, the reference's enumeration, relevant variables and sample rows.
export * from "./formula";
export * from "./candidates";
export * from "./variables";
