import { describe, expect, it } from 'vitest';
import { associate, benjaminiHochberg, normalCdf } from './correlations-stats.js';

describe('correlation statistics', () => {
  it('Benjamini–Hochberg gives the adjusted p-values of R p.adjust(p, "BH"), in the input order', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.050 0.050 0.025 0.500
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);
    expect(q.map((v) => Number(v.toFixed(6)))).toEqual([0.025, 0.05, 0.05, 0.025, 0.5]);
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it("the difference's interval is Newcombe's method 10 (his worked example 56/70 vs 48/80: 0.0524 to 0.3339)", () => {
    const a = associate({ withN: 70, withConverted: 56, withoutN: 80, withoutConverted: 48 });
    expect(a.difference).toBeCloseTo(0.2, 10);
    expect(a.differenceCi.low).toBeCloseTo(0.0524, 3);
    expect(a.differenceCi.high).toBeCloseTo(0.3339, 3);
  });

  it('the lift has the log-ratio (Katz) interval and the p-value of the pooled two-proportion z test', () => {
    const a = associate({ withN: 200, withConverted: 40, withoutN: 400, withoutConverted: 40 });
    expect(a.lift).toBeCloseTo(2, 10);
    const se = Math.sqrt(1 / 40 - 1 / 200 + 1 / 40 - 1 / 400);
    expect(a.liftCi!.low).toBeCloseTo(2 * Math.exp(-1.96 * se), 3);
    expect(a.liftCi!.high).toBeCloseTo(2 * Math.exp(1.96 * se), 3);
    // pooled p = 80/600; z = 0.1 / sqrt(p(1-p)(1/200 + 1/400)) = 3.397 → two-sided p ≈ 0.00068
    expect(a.pValue).toBeCloseTo(0.00068, 4);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
  });

  it('zero cells give finite answers: no lift without converters on the "without" side, a Haldane-corrected interval with none on the "with" side', () => {
    expect(associate({ withN: 50, withConverted: 5, withoutN: 50, withoutConverted: 0 }).lift).toBeNull();
    const a = associate({ withN: 50, withConverted: 0, withoutN: 50, withoutConverted: 5 });
    expect(a.lift).toBe(0);
    expect(Number.isFinite(a.liftCi!.high)).toBe(true);
    expect(associate({ withN: 50, withConverted: 0, withoutN: 50, withoutConverted: 0 }).pValue).toBe(1);
  });
});
