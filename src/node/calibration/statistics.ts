// Error rates with their uncertainty: a proportion k/n with a 95% interval (Wilson score), and the rule-of-three
// upper bound when no error was seen (an auditor's "0 of 20" is not "0%"). Pure: no I/O.

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

export interface Proportion {
  /** Errors seen (attacks accepted, or bona fide rejected). */
  errors: number;
  /** Attempts behind the rate. */
  attempts: number;
  /** errors / attempts; null over no attempts. */
  rate: number | null;
  /** 95% interval; null over no attempts. */
  low: number | null;
  high: number | null;
  /** How the interval was made. */
  method: 'wilson' | 'rule_of_three' | 'none';
}

/** Wilson score interval for k of n at 95%. */
export function wilsonInterval(k: number, n: number): [number, number] {
  if (n <= 0) return [Number.NaN, Number.NaN];
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // The exact endpoints at k = 0 and k = n are 0 and 1; rounding must not move the interval off its rate.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** k errors in n attempts with a 95% interval: rule of three [0, 3/n] when k = 0, else Wilson. */
export function proportion(k: number, n: number): Proportion {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) throw new RangeError(`not a proportion: ${k} of ${n}`);
  if (n === 0) return { errors: 0, attempts: 0, rate: null, low: null, high: null, method: 'none' };
  if (k === 0) return { errors: 0, attempts: n, rate: 0, low: 0, high: Math.min(1, 3 / n), method: 'rule_of_three' };
  const [low, high] = wilsonInterval(k, n);
  return { errors: k, attempts: n, rate: k / n, low, high, method: 'wilson' };
}

/** "12.5% [3.5-36.0] (2/16)", "0% [0-15.0, rule of 3] (0/20)", "- (0/0)". */
export function formatProportion(p: Proportion): string {
  if (p.rate === null || p.low === null || p.high === null) return `- (0/0)`;
  const pc = (v: number): string => (v * 100).toFixed(1);
  const tag = p.method === 'rule_of_three' ? ', rule of 3' : '';
  return `${pc(p.rate)}% [${pc(p.low)}-${pc(p.high)}${tag}] (${p.errors}/${p.attempts})`;
}
