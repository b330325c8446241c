/**
 * The seed for property-based tests. Locally every run explores a new seed; in CI (`CI=true`)
 * the seed is fixed, so the gate judges the code and not the luck of the draw. `FUZZ_SEED=<n>`
 * overrides both, to replay a printed failure.
 */
const FIXED_CI_SEED = 20261125;

export function propertySeed(label: string): number {
  const seed =
    process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.CI ? FIXED_CI_SEED : Date.now() % 2 ** 31;
  console.log(`${label}: property seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}
