// A small WebAssembly module emitter: TypeScript writes the bytes of a module at run time, so the fast
// kernels need no toolchain, no build step and no native addon.
//
// A module is a list of sections (type, import, function, export, code); numbers are LEB128 varints;
// a function body is locals followed by a stack-machine instruction stream ending in `end`. Only the
// subset the kernels use is here: i32 arithmetic, block/loop/br_if, f64 loads and stores, and the
// SIMD128 f64x2 / f32x4 instructions (prefix 0xfd, then the opcode as a LEB128 u32).
// Source: the WebAssembly core specification 2.0, §5 (binary format) and the SIMD proposal's opcode table.

export type ValType = 'i32' | 'f64' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128: 7 bits per byte, low bits first, high bit set on every byte but the last. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 for i32 constants: stop once the remaining bits are all sign bits. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** One function's instruction stream, written through named helpers (one per instruction used). */
export class FunctionBody {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: readonly ValType[]) {}

  /** A new local of this type; its index follows the parameters. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  /** memarg: alignment exponent, then byte offset. */
  private mem(align: number, offset: number): number[] {
    return [...uleb(align), ...uleb(offset)];
  }

  get(i: number) {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number) {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number) {
    return this.op(0x22, ...uleb(i));
  }
  i32(n: number) {
    return this.op(0x41, ...sleb(n));
  }
  i32Add() {
    return this.op(0x6a);
  }
  i32Sub() {
    return this.op(0x6b);
  }
  i32Mul() {
    return this.op(0x6c);
  }
  i32DivU() {
    return this.op(0x6e);
  }
  i32RemU() {
    return this.op(0x70);
  }
  i32LtU() {
    return this.op(0x49);
  }
  i32GeU() {
    return this.op(0x4f);
  }
  i32LeU() {
    return this.op(0x4d);
  }
  i32Ne() {
    return this.op(0x47);
  }
  i32And() {
    return this.op(0x71);
  }
  i32Or() {
    return this.op(0x72);
  }
  /** Pops c, b, a: a if c ≠ 0, else b. */
  select() {
    return this.op(0x1b);
  }
  i32Eqz() {
    return this.op(0x45);
  }

  /** `block` / `loop` with no result; `end` closes either. br_if 0 leaves a block or repeats a loop. */
  block() {
    return this.op(0x02, 0x40);
  }
  loop() {
    return this.op(0x03, 0x40);
  }
  end() {
    return this.op(0x0b);
  }
  brIf(depth: number) {
    return this.op(0x0d, ...uleb(depth));
  }
  br(depth: number) {
    return this.op(0x0c, ...uleb(depth));
  }
  return_() {
    return this.op(0x0f);
  }

  f64Add() {
    return this.op(0xa0);
  }
  f64Sub() {
    return this.op(0xa1);
  }
  f64Mul() {
    return this.op(0xa2);
  }
  f64Div() {
    return this.op(0xa3);
  }
  /** Signed i32 → f64 (exact). */
  f64ConvertI32S() {
    return this.op(0xb7);
  }
  f64Sqrt() {
    return this.op(0x9f);
  }
  f64Gt() {
    return this.op(0x64);
  }
  f64Const(v: number) {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    return this.op(0x44, ...new Uint8Array(d.buffer));
  }
  f64Zero() {
    return this.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  /** f32 → f64 is exact; f64 → f32 rounds to nearest even, as a Float32Array store does. */
  f64PromoteF32() {
    return this.op(0xbb);
  }
  f32DemoteF64() {
    return this.op(0xb6);
  }
  f32Mul() {
    return this.op(0x94);
  }
  f64Load(offset = 0) {
    return this.op(0x2b, ...this.mem(3, offset));
  }
  f64Store(offset = 0) {
    return this.op(0x39, ...this.mem(3, offset));
  }
  i32Load(offset = 0) {
    return this.op(0x28, ...this.mem(2, offset));
  }
  f32Load(offset = 0) {
    return this.op(0x2a, ...this.mem(2, offset));
  }
  f32Store(offset = 0) {
    return this.op(0x38, ...this.mem(2, offset));
  }
  f32Zero() {
    return this.op(0x43, 0, 0, 0, 0);
  }

  v128Load(offset = 0) {
    return this.simd(0x00, ...this.mem(4, offset));
  }
  v128Store(offset = 0) {
    return this.simd(0x0b, ...this.mem(4, offset));
  }
  /** Load one f64 and copy it into both lanes. */
  v128Load64Splat(offset = 0) {
    return this.simd(0x0a, ...this.mem(3, offset));
  }
  /** Load one f32 and copy it into all four lanes. */
  v128Load32Splat(offset = 0) {
    return this.simd(0x09, ...this.mem(2, offset));
  }
  /** Pops b, a: four f32 lanes picked from a's lanes 0–3 and b's lanes 4–7 (i8x16.shuffle, byte by byte). */
  f32x4Shuffle(lanes: readonly [number, number, number, number]) {
    return this.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  v128Zero() {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  /** A float64 in both lanes. */
  f64x2Splat() {
    return this.simd(0x14);
  }
  f64x2Add() {
    return this.simd(0xf0);
  }
  f64x2Mul() {
    return this.simd(0xf2);
  }
  f32x4Add() {
    return this.simd(0xe4);
  }
  f32x4Sub() {
    return this.simd(0xe5);
  }
  f32x4Mul() {
    return this.simd(0xe6);
  }
  f32x4Div() {
    return this.simd(0xe7);
  }
  /** relaxed SIMD: a·b + c on four float32 lanes, fused or not depending on the machine (opt-in only). */
  f32x4RelaxedMadd() {
    return this.simd(0x105);
  }
  /** relaxed SIMD: a·b + c, fused or not depending on the machine (opt-in only). */
  f64x2RelaxedMadd() {
    return this.simd(0x107);
  }
  /** A 16-byte constant: two float64 lanes, or two int64 lanes (little-endian, as memory holds them). */
  v128Const(lanes: readonly [number, number] | readonly [bigint, bigint]) {
    const d = new DataView(new ArrayBuffer(16));
    lanes.forEach((v, j) => (typeof v === 'bigint' ? d.setBigInt64(8 * j, v, true) : d.setFloat64(8 * j, v, true)));
    return this.simd(0x0c, ...new Uint8Array(d.buffer));
  }
  /** Two float32 from memory into lanes 0 and 1 (the rest zero). */
  v128Load64Zero(offset = 0) {
    return this.simd(0x5d, ...this.mem(3, offset));
  }
  /** The low 8 bytes (lanes 0 and 1 of an f32x4) to memory. */
  v128Store64Lane0(offset = 0) {
    return this.simd(0x5b, ...this.mem(3, offset), 0);
  }
  f64x2Sub() {
    return this.simd(0xf1);
  }
  /** Correctly rounded, as Math.sqrt. */
  f64x2Sqrt() {
    return this.simd(0xef);
  }
  f64x2Div() {
    return this.simd(0xf3);
  }
  f64x2Abs() {
    return this.simd(0xec);
  }
  /** Rounds toward zero to an integral float64. */
  f64x2Trunc() {
    return this.simd(0x7a);
  }
  /** f32x4 lanes 0 and 1 to two float64 lanes (exact). */
  f64x2PromoteLowF32x4() {
    return this.simd(0x5f);
  }
  /** Two float64 lanes rounded to float32 lanes 0 and 1 (lanes 2 and 3 zero). */
  f32x4DemoteF64x2Zero() {
    return this.simd(0x5e);
  }
  /** Lane masks (all ones where true): a ≠ b (true for NaN), a < b, a > b, a ≥ b. */
  f64x2Ne() {
    return this.simd(0x48);
  }
  f64x2Lt() {
    return this.simd(0x49);
  }
  f64x2Gt() {
    return this.simd(0x4a);
  }
  f64x2Ge() {
    return this.simd(0x4c);
  }
  v128And() {
    return this.simd(0x4e);
  }
  v128Or() {
    return this.simd(0x50);
  }
  /** Pops mask, b, a: a's bits where the mask is 1, b's where 0. */
  v128Bitselect() {
    return this.simd(0x52);
  }
  i64x2Add() {
    return this.simd(0xce);
  }
  /** Pops the shift count (i32), then the vector. */
  i64x2Shl() {
    return this.simd(0xcb);
  }
  f32x4Splat() {
    return this.simd(0x13);
  }
  /** Lane j of an f32x4 as a scalar f32. */
  f32x4ExtractLane(j: number) {
    return this.simd(0x1f, j);
  }
  /** Lane j of an f64x2 as a scalar f64. */
  f64x2ExtractLane(j: number) {
    return this.simd(0x21, j);
  }

  /** for (i = from; i < end; i += step) body: `from` and `end` each push an i32; i is an i32 local (unsigned). */
  forRange(i: number, from: () => void, end: () => void, step: number, body: () => void): this {
    from();
    this.set(i).block().loop();
    this.get(i);
    end();
    this.i32GeU().brIf(1);
    body();
    return this.get(i).i32(step).i32Add().set(i).br(0).end().end();
  }

  /** The encoded body: local declarations (one run per local, kept simple), then code, then `end`. */
  encode(): number[] {
    const locals = this.localTypes.map((t) => [...uleb(1), VALTYPE[t]]);
    const body = [...vec(locals), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

export interface ExportedFunction {
  name: string;
  body: FunctionBody;
}

/**
 * A module that imports one memory as `env.memory` (shared when `shared`, so worker threads can run the
 * same kernels over the same bytes) and exports the given functions. Functions return nothing.
 */
export function emitModule(
  fns: readonly ExportedFunction[],
  memory: { initialPages: number; maxPages: number; shared: boolean },
): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.body.params.map((p) => [VALTYPE[p]])), 0x00]);
  const limits = memory.shared
    ? [0x03, ...uleb(memory.initialPages), ...uleb(memory.maxPages)]
    : [0x01, ...uleb(memory.initialPages), ...uleb(memory.maxPages)];
  const imports = [[...uleb(3), ...utf8('env'), ...uleb(6), ...utf8('memory'), 0x02, ...limits]];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...uleb(f.name.length), ...utf8(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map((f) => f.body.encode()))),
  ];
  return Uint8Array.from(bytes);
}
