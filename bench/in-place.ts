// `node --import tsx bench/in-place.ts`: how much of a kernel's time is copies. A one-thread kernel reads and writes
// tensors in the arena (cpu/arena.ts) where they lie, and copies any other operand into its scratch and its
// results out (kernel-memory.ts). This times the SwiGLU kernels at d=128's shapes ([2048, 352], eight sets of
// operands cycled so that they are not in cache) on ordinary arrays and on the same numbers in the arena.
import { pathToFileURL } from 'node:url';
import { arena } from '../src/backend/cpu/arena.ts';
import { SimdSwiglu } from '../src/backend/cpu/simd/swiglu-kernel.ts';
import { Rng } from '../src/core/rng.ts';
import { median, table } from './util.ts';

export function benchInPlace(rows = 2048, width = 352, sets = 8, reps = 10): string {
  const kernel = new SimdSwiglu();
  const n = rows * width,
    rng = new Rng(1);
  const arr = (f: () => number) => Float32Array.from({ length: n }, f);
  const operands = () => ({
    a: arr(() => rng.normal() * 2),
    b: arr(() => rng.normal()),
    g: arr(() => rng.normal()),
    out: new Float32Array(n),
    da: new Float32Array(n),
    db: new Float32Array(n),
    sig: new Float64Array(n),
  });
  /** The same operands as tensors in the arena. */
  const placed = (o: ReturnType<typeof operands>) =>
    Object.fromEntries(
      Object.entries(o).map(([name, x]) => {
        const t = arena().array(x instanceof Float64Array ? 'float64' : 'float32', n)!;
        t.set(x);
        return [name, t];
      }),
    ) as typeof o;
  const plain = Array.from({ length: sets }, operands);
  const inArena = plain.map(placed);
  for (const o of [...plain, ...inArena]) kernel.keep(o.a, o.b, o.out, o.sig); // also grows the kernel's scratch
  const ms = (ops: typeof plain, f: (o: (typeof plain)[number]) => void) => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) for (const o of ops) f(o);
    return (performance.now() - t) / (reps * sets);
  };
  const times = { fwd: [] as number[], fwdIn: [] as number[], bwd: [] as number[], bwdIn: [] as number[] };
  for (let round = 0; round < 5; round++) {
    times.fwd.push(ms(plain, (o) => kernel.keep(o.a, o.b, o.out, o.sig)));
    times.fwdIn.push(ms(inArena, (o) => kernel.keep(o.a, o.b, o.out, o.sig)));
    times.bwd.push(ms(plain, (o) => kernel.backward(o.a, o.b, o.sig, o.g, o.da, o.db)));
    times.bwdIn.push(ms(inArena, (o) => kernel.backward(o.a, o.b, o.sig, o.g, o.da, o.db)));
  }
  const row = (name: string, copied: number[], inPlace: number[]) => [
    name,
    median(copied).toFixed(2),
    median(inPlace).toFixed(2),
    `${(100 * (1 - median(inPlace) / median(copied))).toFixed(0)}%`,
  ];
  return (
    table(
      [`SwiGLU [${rows}, ${width}], ms a call`, 'ordinary arrays', 'in the arena', 'copies'],
      [row('forward (σ kept)', times.fwd, times.fwdIn), row('backward', times.bwd, times.bwdIn)],
    ) + `\n(medians of 5 rounds of ${reps} × ${sets} calls; operands cycled over ${sets} sets)\n`
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.stdout.write(benchInPlace());
