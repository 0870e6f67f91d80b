/**
 * Progress lines with ETA on stderr for long work (preprocessing a cohort, generating the demo).
 * Silent when `quiet` — tests and library callers that pass their own callback use that.
 * @module
 */

/** Reports `done/total` with elapsed time and an ETA extrapolated from the mean step time. */
export function progressReporter(label: string, total: number, quiet = false) {
  const start = performance.now();
  const enc = new TextEncoder();
  return {
    tick(done: number, note = ""): void {
      if (quiet) return;
      const el = (performance.now() - start) / 1000;
      const eta = done > 0 ? (el / done) * (total - done) : NaN;
      const line = `${label} ${done}/${total}  ${el.toFixed(1)}s elapsed, ETA ${
        Number.isFinite(eta) ? eta.toFixed(1) + "s" : "?"
      }  ${note}`;
      Deno.stderr.writeSync(enc.encode(`${line}\n`));
    },
  };
}
