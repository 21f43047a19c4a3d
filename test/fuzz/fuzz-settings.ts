/**
 * Run counts and seeds. `npm test` runs a small fixed-seed sample (seed 42,
 * reproducible); `npm run fuzz` sets FUZZ_RUNS and gets a fresh random seed,
 * printed so a failure can be replayed with FUZZ_SEED.
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const randomSeedWanted = process.env.FUZZ_RUNS !== undefined;

export function fuzzParams(label: string, numRuns = FUZZ_RUNS): { numRuns: number; seed: number; timeout: number } {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : randomSeedWanted ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : 42;
  if (randomSeedWanted) console.log(`fuzz ${label}: ${numRuns} runs, seed ${seed} (replay with FUZZ_SEED=${seed})`);
  // A single input taking more than 2 s is a hang as far as a user is concerned.
  return { numRuns, seed, timeout: 2_000 };
}

/** Vitest's per-test bound, scaled with the number of runs so 10,000 runs still stop by themselves. */
export function testTimeout(runs = FUZZ_RUNS, msPerRun = 5): number {
  return 10_000 + runs * msPerRun;
}
