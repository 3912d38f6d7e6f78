/**
 * How many cases a property test tries. The suite keeps each property small enough for CI;
 * `npm run fuzz` (scripts/fuzz.mjs) runs the same properties with KESTREL_FUZZ times as many
 * cases, each run with fresh random seeds (fast-check prints the seed and path of a failure, so it
 * can be replayed with `{ seed, path }`).
 */
export function propertyRuns(runs: number): number {
  const factor = Number(process.env.KESTREL_FUZZ ?? 1);
  if (!Number.isFinite(factor) || factor < 1)
    throw new RangeError(`KESTREL_FUZZ must be a number >= 1, not '${process.env.KESTREL_FUZZ}'`);
  return Math.round(runs * factor);
}
