// Reverse-mode automatic differentiation.
//
// Every op that sees an input with requiresGrad records a GradNode on its output: the inputs and a backward
// rule written beside the op (src/core/ops). `backward(loss)` orders the recorded graph topologically (the
// tape, in the order the forward pass wrote it) and walks it in reverse, summing each tensor's incoming
// gradients: ∂L/∂x = Σ over uses u of x of (∂L/∂u)·(∂u/∂x). Leaves that require grad get `.grad`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { add } from './ops/elementwise.ts';
import type { Storage } from '../backend/backend.ts';
import { Tensor, ones, watchBirths, type GradNode } from './tensor.ts';

/**
 * Where recording is off: the async context of a noGrad call. A flag set for the whole process would also
 * switch recording off for other work that runs while an async noGrad body waits (a sampler yielding to the
 * event loop between tokens, a training step beside it); the context follows only the body's own awaits.
 */
const notRecording = new AsyncLocalStorage<true>();

/**
 * Run `fn` without recording the graph (inference, optimizer updates, sampling). If `fn` returns a promise,
 * recording stays off in its async continuations until it settles, and nowhere else.
 */
export function noGrad<T>(fn: () => T): T {
  return notRecording.run(true, fn);
}

/** Whether ops record the graph now (outside noGrad): an op may keep extra state for its backward only then. */
export function isRecording(): boolean {
  return notRecording.getStore() === undefined;
}

/** Attach a node to `out` if recording is on and some input needs a gradient. Returns `out`. */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward']): Tensor {
  if (inputs.some((t) => t.requiresGrad) && isRecording()) {
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
 * (call `zeroGrad` between steps); an intermediate gradient's memory goes back to the backend (`free`) as soon
 * as the walk has used it, so the next gradient of its size reuses it (see GradientMemory below).
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward: the tensor does not depend on anything that requires grad');
  if (!seed && root.size !== 1) throw new Error(`backward: root must be a scalar, got shape [${root.shape}]`);
  const memory = new GradientMemory();
  const prevBirths = watchBirths(memory.born);
  const grads = new Map<Tensor, Tensor>();
  const put = (x: Tensor, g: Tensor) => (grads.set(x, g), memory.hold(g));
  put(root, seed ?? ones(root.shape, { dtype: root.dtype, backend: root.backend }));
  const order = topoOrder(root);
  try {
    noGrad(() => walk(order, grads, memory, put));
  } finally {
    watchBirths(prevBirths);
  }
}

/** The reverse walk of backward: each tensor's summed gradient through its node's rule to its inputs. */
function walk(
  order: Tensor[],
  grads: Map<Tensor, Tensor>,
  memory: GradientMemory,
  put: (x: Tensor, g: Tensor) => void,
): void {
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    memory.drop(g);
    if (!t.node) {
      if (t.grad) {
        t.grad = add(t.grad, g);
        memory.keep(t.grad);
        memory.release(g);
      } else memory.keep((t.grad = g));
      continue;
    }
    const inputGrads = t.node.backward(g);
    const flowing = t.node.inputs.map((x, k) => {
      const gx = inputGrads[k];
      if (!gx || !x.requiresGrad) return null;
      if (gx.shape.join() !== x.shape.join())
        throw new Error(`backward of ${t.node!.op}: gradient shape [${gx.shape}] ≠ input shape [${x.shape}]`);
      memory.hold(gx);
      return gx;
    });
    t.node.inputs.forEach((x, k) => {
      const gx = flowing[k];
      if (!gx) return;
      const acc = grads.get(x);
      if (!acc) return void grads.set(x, gx); // the hold taken above is now the map's
      put(x, add(acc, gx));
      memory.drop(acc);
      memory.drop(gx);
      memory.release(acc);
      memory.release(gx);
    });
    memory.release(g);
  }
}

/**
 * Which gradient storages the walk may give back. A storage is freed only if the walk made it (`born`: a
 * seed, a leaf's earlier `.grad` or anything from the forward pass is never freed), nothing the walk still
 * holds shares it (`held`: a reshape passes its gradient on as a view of the same storage, and `add`'s
 * backward passes one gradient to both inputs) and it did not become a leaf's `.grad` (`kept`).
 */
class GradientMemory {
  readonly born = new Set<Storage>();
  private readonly held = new Map<Storage, number>();
  private readonly kept = new Set<Storage>();

  hold(t: Tensor): void {
    this.held.set(t.storage, (this.held.get(t.storage) ?? 0) + 1);
  }
  drop(t: Tensor): void {
    this.held.set(t.storage, this.held.get(t.storage)! - 1);
  }
  keep(t: Tensor): void {
    this.kept.add(t.storage);
  }
  release(t: Tensor): void {
    const s = t.storage;
    if (!this.born.has(s) || this.kept.has(s) || (this.held.get(s) ?? 0) > 0) return;
    this.born.delete(s);
    t.backend.free(s);
  }
}

/** Drop a graph after use so its intermediates can be collected. */
export function detach(t: Tensor): Tensor {
  const out = new Tensor(t.backend, t.storage, t.shape, false);
  out.name = t.name;
  return out;
}
