// Where a one-thread WebAssembly kernel (SwiGLU, elementwise ops, attention, …) runs: over this thread's arena
// (../arena.ts), so that a tensor cut from it is read and written where it lies; any other operand is copied
// into the kernel's own scratch regions (cut from the arena, grown on demand) and its results back out.
//   call(sizes) → KernelCall: in(i, a) / out(i, a) / inout(i, a) give the byte offset the kernel uses for
//   operand i, finish() copies out the results that were not written in place.
import { arena as threadArena, ARENA_PAGES, type Arena, type Scratch } from '../arena.ts';
import { emitModule, type FunctionBody } from './wasm-emitter.ts';

/**
 * Byte offsets of consecutive regions of the given sizes, each 16-byte aligned and followed by at least 16 bytes
 * of slack (a kernel's last pair or vector may run past an operand's end), then the end of the last.
 */
function regions(bytes: readonly number[]): number[] {
  const at: number[] = [];
  let end = 0;
  for (const b of bytes) {
    at.push(end);
    end += Math.ceil((b + 16) / 16) * 16;
  }
  return [...at, end];
}

/** A one-thread kernel's module over the arena's memory, and its scratch. */
export class KernelMemory {
  private readonly scratch: Scratch;

  constructor(readonly arena: Arena = threadArena()) {
    this.scratch = arena.scratch(this);
  }

  /** Compiles `fns` against the arena's memory and returns their exports. */
  instantiate(fns: { name: string; body: FunctionBody }[]): Record<string, WebAssembly.ExportValue> {
    const bytes = emitModule(fns, { initialPages: 1, maxPages: ARENA_PAGES, shared: true });
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.arena.memory } }).exports;
  }

  /**
   * A call whose operands need regions of the given sizes (as `regions` lays them out), or null when they do not
   * fit (the caller then runs its plain loop).
   */
  call(bytes: readonly number[]): KernelCall | null {
    const at = regions(bytes);
    if (!this.scratch.fit(at.pop()!)) return null;
    return new KernelCall(
      this.arena,
      at.map((o) => o + this.scratch.at),
      bytes,
    );
  }

  f32(byteOffset: number, n: number): Float32Array {
    return new Float32Array(this.arena.memory.buffer, byteOffset, n);
  }
  f64(byteOffset: number, n: number): Float64Array {
    return new Float64Array(this.arena.memory.buffer, byteOffset, n);
  }
  i32(byteOffset: number, n: number): Int32Array {
    return new Int32Array(this.arena.memory.buffer, byteOffset, n);
  }
}

type Operand = Float32Array | Float64Array | Int32Array;

/**
 * One call's operands: each is read or written in place when it lies in the arena, else copied through its
 * scratch region. An output that overlaps an operand read in place goes through its region (a kernel may read an
 * input after writing the output's first rows), unless declared with `inout` (elementwise kernels).
 */
export class KernelCall {
  private readonly outs: [Operand, number][] = [];
  private readonly read: [number, number][] = [];

  constructor(
    private readonly arena: Arena,
    /** Byte offsets of the scratch regions. */
    readonly at: readonly number[],
    private readonly bytes: readonly number[],
  ) {}

  private view(a: Operand, at: number, n: number): Operand {
    const buf = this.arena.memory.buffer;
    return a instanceof Float32Array
      ? new Float32Array(buf, at, n)
      : a instanceof Float64Array
        ? new Float64Array(buf, at, n)
        : new Int32Array(buf, at, n);
  }

  /** The byte offset the kernel reads operand i (`a`, all of it) from. */
  in(i: number, a: Operand): number {
    const o = this.arena.readable(a, this.bytes[i]!);
    if (o >= 0) {
      this.read.push([o, o + this.bytes[i]!]);
      return o;
    }
    this.view(a, this.at[i]!, a.length).set(a);
    return this.at[i]!;
  }

  /**
   * The byte offset the kernel writes result i (`a`, all of it) to; `finish` copies it out if not in place. In
   * place, the kernel writes `bytes` (its region's size unless given) and up to 16 past them.
   */
  out(i: number, a: Operand, bytes = this.bytes[i]!): number {
    const o = this.arena.writable(a, bytes);
    if (o >= 0 && !this.read.some(([s, e]) => o < e && s < o + bytes)) return o;
    this.outs.push([a, this.at[i]!]);
    return this.at[i]!;
  }

  /** Operand i read and then written, element by element (an elementwise kernel's in-place update). */
  inout(i: number, a: Operand): number {
    const o = this.arena.writable(a, this.bytes[i]!);
    if (o >= 0) return o;
    this.view(a, this.at[i]!, a.length).set(a);
    this.outs.push([a, this.at[i]!]);
    return this.at[i]!;
  }

  /** Copy out the results that were not written in place. */
  finish(): void {
    for (const [a, at] of this.outs) a.set(this.view(a, at, a.length));
  }
}
