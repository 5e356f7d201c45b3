// Central-difference gradient checks: for a scalar function f of some float64 tensors, compare autograd's
// ∂f/∂x_i with (f(x + h·e_i) − f(x − h·e_i)) / 2h for every element i.
import { backward } from '../../src/core/autograd.ts';
import { Tensor, tensor } from '../../src/core/tensor.ts';
import type { Rng } from '../../src/core/rng.ts';

export function randT(rng: Rng, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng.next() * 2 - 1) * scale;
  return tensor(data, shape, { dtype: 'float64', requiresGrad: true });
}

/** Max relative error between autograd and numerical gradients over all inputs. */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], h = 1e-6): number {
  for (const x of inputs) x.grad = null;
  const out = f(...inputs);
  if (out.size !== 1) throw new Error('gradcheck needs a scalar function');
  backward(out);
  let worst = 0;
  for (const x of inputs) {
    if (!x.requiresGrad) continue;
    const data = x.dataSync() as Float64Array;
    const analytic = x.grad ? (x.grad.dataSync() as Float64Array) : new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const at = (v: number) => {
        const d = data.slice();
        d[i] = v;
        const xi = tensor(d, x.shape, { dtype: 'float64' });
        return f(...inputs.map((y) => (y === x ? xi : y))).dataSync()[0]!;
      };
      const numeric = (at(data[i]! + h) - at(data[i]! - h)) / (2 * h);
      const err = Math.abs(numeric - analytic[i]!) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]!));
      worst = Math.max(worst, err);
    }
  }
  return worst;
}
