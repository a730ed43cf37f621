// One bench result from several bench processes: a slow or fast process (every stage of one run moves together, by
// up to a quarter on a shared 2-core VM) moves the median of three runs less than it moves one run.

/** The median of numbers (the mean of the two middle ones for an even count), to 0.01. */
export function medianOf(values: readonly number[]): number {
  if (!values.length) throw new RangeError('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(median * 100) / 100;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The runs' results merged figure by figure: a number that every run has becomes the median of the runs' numbers;
 * an object present in every run is merged key by key (the first run's keys); anything else (text, flags, lists
 * such as RSS samples, a part one run skipped) is the first run's.
 */
export function medianOfRuns(results: readonly unknown[]): unknown {
  if (!results.length) throw new RangeError('no runs to merge');
  const [first] = results;
  if (results.every((r) => typeof r === 'number' && Number.isFinite(r))) return medianOf(results as number[]);
  if (results.every(isPlainObject)) {
    const merged: Record<string, unknown> = {};
    for (const key of Object.keys(results[0])) merged[key] = medianOfRuns(results.map((r) => r[key]));
    return merged;
  }
  return first;
}
