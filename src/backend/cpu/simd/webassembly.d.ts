// The slice of the WebAssembly JS API that the SIMD kernels use. Node has the global at run time, but
// TypeScript declares it only in lib.dom, which this project does not load (lib: ES2022, types: node).
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  type ExportValue = ((...args: number[]) => unknown) | Memory;
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, Memory | ((...args: number[]) => unknown)>>);
    readonly exports: Record<string, ExportValue>;
  }
  function validate(bytes: Uint8Array): boolean;
}
