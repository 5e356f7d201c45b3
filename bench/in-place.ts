// `node --import tsx bench/in-place.ts`: how much of a kernel's time is its copies. Every one-thread kernel
// copies its operands into its own WebAssembly memory and its results out (kernel-memory.ts); this times the
// SwiGLU kernels at d=128's shapes ([2048, 352], eight sets of operands cycled so that they are not in cache)
// as the backend calls them, and the same emitted functions on operands already in the kernel's memory: what
// tensors living in one WebAssembly memory, read and written in place, would take back.
import { pathToFileURL } from 'node:url';
import { regions } from '../src/backend/cpu/simd/kernel-memory.ts';
import { SimdSwiglu } from '../src/backend/cpu/simd/swiglu-kernel.ts';
import { Rng } from '../src/core/rng.ts';
import { median, table } from './util.ts';

type Fn = (...offsets: number[]) => void;

export function benchInPlace(rows = 2048, width = 352, sets = 8, reps = 10): string {
  const kernel = new SimdSwiglu();
  // The emitted functions themselves (private to the kernel, reached here for this measurement only).
  const fns = (kernel as unknown as { fns: Record<'swiglu' | 'backward', Fn> }).fns;
  const n = rows * width,
    rng = new Rng(1);
  const arr = (f: () => number) => Float32Array.from({ length: n }, f);
  const ops = Array.from({ length: sets }, () => ({
    a: arr(() => rng.normal() * 2),
    b: arr(() => rng.normal()),
    g: arr(() => rng.normal()),
    out: new Float32Array(n),
    da: new Float32Array(n),
    db: new Float32Array(n),
    sig: new Float64Array(n),
  }));
  for (const o of ops) kernel.keep(o.a, o.b, o.out, o.sig); // also grows the kernel's memory
  const ms = (f: (o: (typeof ops)[number]) => void) => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) for (const o of ops) f(o);
    return (performance.now() - t) / (reps * sets);
  };
  // The forward's and the backward's layouts in the kernel's memory (swiglu-kernel.ts).
  const v = 4 * n;
  const [fGate, fUp, fSig, fOut] = regions([v, v, 2 * v, v]) as number[];
  const [gate, up, gs, sg, dGate, dUp] = regions([v, v, v, 2 * v, v, v]) as number[];
  const times = { fwd: [] as number[], fwdIn: [] as number[], bwd: [] as number[], bwdIn: [] as number[] };
  for (let round = 0; round < 5; round++) {
    times.fwd.push(ms((o) => kernel.keep(o.a, o.b, o.out, o.sig)));
    times.fwdIn.push(ms(() => fns.swiglu(fGate!, fUp!, fSig!, fOut!, n)));
    times.bwd.push(ms((o) => kernel.backward(o.a, o.b, o.sig, o.g, o.da, o.db)));
    times.bwdIn.push(ms(() => fns.backward(gate!, up!, sg!, gs!, dGate!, dUp!, n)));
  }
  const row = (name: string, copied: number[], inPlace: number[]) => [
    name,
    median(copied).toFixed(2),
    median(inPlace).toFixed(2),
    `${(100 * (1 - median(inPlace) / median(copied))).toFixed(0)}%`,
  ];
  return (
    table(
      [`SwiGLU [${rows}, ${width}], ms a call`, 'with copies', 'in place', 'copies'],
      [row('forward (σ kept)', times.fwd, times.fwdIn), row('backward', times.bwd, times.bwdIn)],
    ) + `\n(medians of 5 rounds of ${reps} × ${sets} calls; operands cycled over ${sets} sets)\n`
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.stdout.write(benchInPlace());
