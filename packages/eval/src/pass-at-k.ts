// pass@k: the chance that at least one of k samples drawn without replacement from
// the n generated for a task is correct, when c of the n are. The unbiased
// estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
// Code"): 1 − C(n−c, k) / C(n, k), computed as a product so that no binomial
// coefficient is formed (they overflow doubles past n ≈ 1000).
import { DatarusError, ErrorCode } from '@datarus/contracts';

export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new DatarusError(ErrorCode.InvalidArgument, `pass@k needs integers 0 ≤ c ≤ n and 1 ≤ k ≤ n, got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1; // every k-subset holds a correct sample
  // C(n−c, k) / C(n, k) = Π_{i = n−c+1}^{n} (1 − k / i)
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}
