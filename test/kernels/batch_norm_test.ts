// batchNorm() against PyTorch fixtures (test/fixtures/norm.safetensors, "bn." cases): output,
// all gradients and the running statistics after the call, in training and eval; gradchecks.

import { batchNorm } from "../../src/kernels/batch_norm.ts";
import { assertClose, fixture, gradcheck, hostRandom, setup, toTensor } from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("norm");

for (const name of caseNames(f, "bn.")) {
  const [training, , , mom1000, eps9] = cfgOf(f, name);
  Deno.test({
    name: `batchNorm() matches PyTorch in ${training ? "training" : "eval"}: ${name.slice(3)}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      const rm = toTensor(f.get(`${name}.runningMeanBefore`)!);
      const rv = toTensor(f.get(`${name}.runningVarBefore`)!);
      await checkCase(
        f,
        name,
        3,
        (x, w, b) => batchNorm(x!, rm, rv, w, b, training === 1, mom1000 / 1000, eps9 * 1e-9),
      );
      assertClose(await rm.toArray(), f.get(`${name}.runningMean`)!.data, { name: "running_mean" });
      assertClose(await rv.toArray(), f.get(`${name}.runningVar`)!.data, { name: "running_var" });
      rm.dispose();
      rv.dispose();
    },
  });
}

for (const training of [true, false]) {
  Deno.test({
    name: `batchNorm() passes gradcheck in ${training ? "training" : "eval"}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      const rm = toTensor({ data: new Float32Array([0.1, -0.2, 0.3]), shape: [3], dtype: "F32" });
      const rv = toTensor({ data: new Float32Array([0.5, 1.5, 2]), shape: [3], dtype: "F32" });
      await gradcheck(
        (x, w, b) => batchNorm(x, training ? null : rm, training ? null : rv, w, b, training),
        [
          { data: hostRandom(2 * 3 * 2 * 2, 21).map((v) => 2 * v + 0.5), shape: [2, 3, 2, 2] },
          { data: hostRandom(3, 22).map((v) => v + 1.5), shape: [3] },
          { data: hostRandom(3, 23), shape: [3] },
        ],
      );
      rm.dispose();
      rv.dispose();
    },
  });
}
