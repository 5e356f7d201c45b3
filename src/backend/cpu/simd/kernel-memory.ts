// The memory of a one-thread WebAssembly kernel (SwiGLU, elementwise ops): unshared, so that copies in and out
// run at memcpy's speed (V8 copies into a SharedArrayBuffer about 3× slower; simd-matmul.ts), grown on demand up
// to 1 GiB. A kernel's operands are copied in, its results out: the tensors stay ordinary typed arrays.
import { emitModule, type FunctionBody } from './wasm-emitter.ts';

const MAX_PAGES = 16384;
const PAGE = 65536;

export class KernelMemory {
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });

  /** Compiles `fns` against this memory and returns their exports. */
  instantiate(fns: { name: string; body: FunctionBody }[]): Record<string, WebAssembly.ExportValue> {
    const bytes = emitModule(fns, { initialPages: 1, maxPages: MAX_PAGES, shared: false });
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } }).exports;
  }

  /** Grows the memory to hold `bytes`; false when that is over the limit (the caller then runs its plain loop). */
  fit(bytes: number): boolean {
    if (bytes > MAX_PAGES * PAGE) return false;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  }

  f32(byteOffset: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, byteOffset, n);
  }
  i32(byteOffset: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, byteOffset, n);
  }
  f64(byteOffset: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, byteOffset, n);
  }
}

/**
 * Byte offsets of consecutive regions of the given sizes, each 16-byte aligned and followed by at least 16 bytes
 * of slack (a kernel's last pair or vector may run past an operand's end), then the end of the last.
 */
export function regions(bytes: readonly number[]): number[] {
  const at: number[] = [];
  let end = 0;
  for (const b of bytes) {
    at.push(end);
    end += Math.ceil((b + 16) / 16) * 16;
  }
  return [...at, end];
}
