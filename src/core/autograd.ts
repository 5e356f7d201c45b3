// Reverse-mode automatic differentiation.
//
// Every op that sees an input with requiresGrad records a GradNode on its output: the inputs and a backward
// rule written beside the op (src/core/ops). `backward(loss)` orders the recorded graph topologically (the
// tape, in the order the forward pass wrote it) and walks it in reverse, summing each tensor's incoming
// gradients: ∂L/∂x = Σ over uses u of x of (∂L/∂u)·(∂u/∂x). Leaves that require grad get `.grad`.
import { add } from './ops/elementwise.ts';
import { Tensor, ones, type GradNode } from './tensor.ts';

let gradEnabled = true;

/**
 * Run `fn` without recording the graph (inference, optimizer updates, sampling). If `fn` returns a promise,
 * recording stays off until it settles.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    gradEnabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => (gradEnabled = prev)) as T;
  }
  gradEnabled = prev;
  return result;
}

/** Whether ops record the graph now (outside noGrad): an op may keep extra state for its backward only then. */
export function isRecording(): boolean {
  return gradEnabled;
}

/** Attach a node to `out` if recording is on and some input needs a gradient. Returns `out`. */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward']): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

/** Tensors reachable from `root` through recorded nodes, inputs before the tensors made from them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS (graphs of long sequences would overflow a recursive one).
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const c = inputs[i]!;
      if (c.requiresGrad && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Backpropagate from `root` (a scalar unless `seed` is given). Leaf gradients accumulate into `.grad`
 * (call `zeroGrad` between steps); intermediate gradients are freed as the walk passes them.
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward: the tensor does not depend on anything that requires grad');
  if (!seed && root.size !== 1) throw new Error(`backward: root must be a scalar, got shape [${root.shape}]`);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed ?? ones(root.shape, { dtype: root.dtype, backend: root.backend }));
  const order = topoOrder(root);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (!g) continue;
      if (!t.node) {
        t.grad = t.grad ? add(t.grad, g) : g;
        continue;
      }
      grads.delete(t);
      const inputGrads = t.node.backward(g);
      t.node.inputs.forEach((x, k) => {
        const gx = inputGrads[k];
        if (!gx || !x.requiresGrad) return;
        if (gx.shape.join() !== x.shape.join())
          throw new Error(`backward of ${t.node!.op}: gradient shape [${gx.shape}] ≠ input shape [${x.shape}]`);
        const acc = grads.get(x);
        grads.set(x, acc ? add(acc, gx) : gx);
      });
    }
  } finally {
    gradEnabled = prev;
  }
}

/** Drop a graph after use so its intermediates can be collected. */
export function detach(t: Tensor): Tensor {
  const out = new Tensor(t.backend, t.storage, t.shape, false);
  out.name = t.name;
  return out;
}
