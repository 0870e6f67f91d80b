// The one numpy-exact quantile (src/util/quantile.ts) and the data pipeline's percentiles built
// on it, bit for bit against numpy. The tables were computed with numpy 2.4.6 (the "linear" method
// is unchanged since numpy 1.22) on data(n)[i] = ((i·7919 + 13) mod 1009) / 97 − 5:
// np.quantile(x, q) on float64, and np.percentile(x, p) on x rounded to float32 (as the pipeline's
// volumes are). Each n includes q and p where n·q + (1 − q) − 1, or a one-sided lerp, would round
// differently from numpy's (n − 1)·q and two-sided lerp.

import { assertClose, assertThrows } from "./_helpers.ts";
import { quantile, quantileSorted } from "../../src/util/quantile.ts";
import { percentiles } from "../../src/data/preprocess/percentile.ts";

const data = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + 13) % 1009) / 97 - 5);

const QUANTILES: { n: number; q: number[]; out: number[] }[] = [
  {
    n: 2,
    q: [0, 0.001, 0.003, 0.005, 0.007, 0.009, 0.011, 0.25, 0.5, 0.9, 1],
    out: [
      -4.865979381443299,
      -4.857154639175257,
      -4.839505154639175,
      -4.821855670103092,
      -4.8042061855670095,
      -4.786556701030928,
      -4.768907216494845,
      -2.659793814432989,
      -0.4536082474226806,
      3.0762886597938146,
      3.9587628865979383,
    ],
  },
  {
    n: 7,
    q: [0, 0.031, 0.053, 0.054, 0.059, 0.07, 0.075, 0.25, 0.5, 0.9, 1],
    out: [
      -4.865979381443299,
      -4.6914845360824735,
      -4.567649484536083,
      -4.5620206185567005,
      -4.533876288659794,
      -4.471958762886597,
      -4.443814432989691,
      -3.139175257731959,
      -0.7731958762886597,
      3.0123711340206194,
      3.9587628865979383,
    ],
  },
  {
    n: 50,
    q: [0, 0.077, 0.081, 0.126, 0.134, 0.148, 0.151, 0.25, 0.5, 0.9, 1],
    out: [
      -4.907216494845361,
      -4.335907216494845,
      -4.277309278350515,
      -3.875814432989691,
      -3.758618556701031,
      -3.5535257731958763,
      -3.5095773195876285,
      -2.381443298969072,
      0.31443298969072186,
      4.22061855670103,
      5.195876288659793,
    ],
  },
  {
    n: 101,
    q: [0, 0.025, 0.098, 0.124, 0.126, 0.146, 0.151, 0.25, 0.5, 0.9, 1],
    out: [
      -4.989690721649485,
      -4.88659793814433,
      -4.061855670103093,
      -3.841237113402062,
      -3.797938144329897,
      -3.645360824742268,
      -3.607216494845361,
      -2.4329896907216493,
      0.12371134020618513,
      4.216494845360824,
      5.195876288659793,
    ],
  },
  {
    n: 1000,
    q: [0, 0.038, 0.088, 0.106, 0.117, 0.118, 0.121, 0.25, 0.5, 0.9, 1],
    out: [
      -5.0,
      -4.608639175257732,
      -4.083381443298969,
      -3.898,
      -3.784711340206185,
      -3.7744123711340207,
      -3.743515463917526,
      -2.3943298969072164,
      0.21134020618556715,
      4.351546391752578,
      5.391752577319588,
    ],
  },
];

const PERCENTILES: { n: number; p: number[]; out: number[] }[] = [
  {
    n: 2,
    p: [0, 1, 50, 54.7, 54.8, 54.9, 55.3, 55.4, 55.5, 99, 100],
    out: [
      -4.865979194641113,
      -4.777731773853302,
      -0.4536081552505493,
      -0.038845277547836066,
      -0.030020535469055698,
      -0.021195793390274442,
      0.014103174924849693,
      0.02292791700363095,
      0.03175265908241309,
      3.8705154633522034,
      3.9587628841400146,
    ],
  },
  {
    n: 7,
    p: [0, 1, 14.5, 16.4, 16.5, 16.6, 27.3, 27.6, 50, 99, 100],
    out: [
      -4.865979194641113,
      -4.80969054222107,
      -4.049793734550476,
      -3.942845294952393,
      -3.937216429710388,
      -3.931587564468384,
      -2.9215050687789916,
      -2.893113315582275,
      -0.7731958627700806,
      3.864123706817626,
      3.9587628841400146,
    ],
  },
  {
    n: 50,
    p: [0, 1, 3.9, 18.0, 30.1, 32.4, 34.1, 36.5, 50, 99, 100],
    out: [
      -4.907216548919678,
      -4.887010245323181,
      -4.631185420513153,
      -3.0847423219680787,
      -1.8276185314655307,
      -1.4906804342269895,
      -1.4243711593151092,
      -1.1477834612131124,
      0.3144329860806465,
      5.049381413459777,
      5.195876121520996,
    ],
  },
  {
    n: 101,
    p: [0, 1, 9.9, 44.9, 47.8, 48.6, 48.8, 48.9, 50, 99, 100],
    out: [
      -4.989690780639648,
      -4.948453426361084,
      -4.036082410812377,
      -0.4783505111932755,
      -0.18350515067577375,
      -0.020618556439876187,
      0.030927833914756044,
      0.05670102909207307,
      0.12371134012937546,
      5.15463924407959,
      5.195876121520996,
    ],
  },
  {
    n: 1000,
    p: [0, 1, 50, 99, 100],
    out: [-5.0, -4.897010421752929, 0.21134020388126373, 5.288762669563293, 5.39175271987915],
  },
];

Deno.test("quantile() equals numpy.quantile (linear) bit for bit", () => {
  for (const t of QUANTILES) {
    const x = data(t.n), sorted = Float64Array.from(x).sort();
    const got = t.q.map((q) => quantile(x, q));
    assertClose(got, t.out, { atol: 0, rtol: 0, name: `quantile n=${t.n}` });
    const gotSorted = t.q.map((q) => quantileSorted(sorted, q));
    assertClose(gotSorted, t.out, { atol: 0, rtol: 0, name: `quantileSorted n=${t.n}` });
  }
});

Deno.test("percentiles() of float32 data equals numpy.percentile bit for bit", () => {
  for (const t of PERCENTILES) {
    const got = percentiles(Float32Array.from(data(t.n)), t.p);
    assertClose(got, t.out, { atol: 0, rtol: 0, name: `percentiles n=${t.n}` });
  }
});

Deno.test("quantile() refuses an empty array and q outside [0, 1]", () => {
  assertThrows(() => quantileSorted([], 0.5), /empty/);
  assertThrows(() => quantileSorted([1, 2], 1.5), /q 1.5/);
  assertThrows(() => quantileSorted([1, 2], NaN), /q NaN/);
  assertThrows(() => percentiles(new Float32Array([1, 2]), [101]), /q 1.01/);
});

Deno.test("percentiles() by selection equals the sorted quantile: ties, masks, n = 1 and 2", () => {
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const qs = [0, 0.5, 1, 2.5, 25, 50, 73.3, 99, 99.5, 100];
  for (const n of [1, 2, 3, 10, 101, 4096]) {
    // Few distinct values (many ties, as a brain's intensities have) and a random mask.
    const data = Float32Array.from({ length: n }, () => Math.floor(rnd() * 17) / 3 - 2);
    const mask = Uint8Array.from({ length: n }, (_, i) => (i === 0 || rnd() < 0.6 ? 1 : 0));
    const inside = Float32Array.from(data.filter((_, i) => mask[i])).sort();
    const want = qs.map((q) => quantileSorted(inside, q / 100));
    assertClose(percentiles(data, qs, mask), want, { atol: 0, rtol: 0, name: `n=${n} masked` });
    const all = Float32Array.from(data).sort();
    const wantAll = qs.map((q) => quantileSorted(all, q / 100));
    assertClose(percentiles(data, qs), wantAll, { atol: 0, rtol: 0, name: `n=${n}` });
  }
});
