/** The seed capability: a deterministic synthetic dataset for demos, tests and benchmarks. */
export { seedDataset, MAX_SEED_CUSTOMERS, type SeedOptions, type SeedSummary } from './seed.ts';
export { chooseMode, type LoadMode } from './bulk.ts';
export { upsertCatalog } from './upsert-catalog.ts';
export { Rng, WeightedTable } from './prng.ts';
