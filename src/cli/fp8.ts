// `tinyseek fp8 cast|table|scale|gemm-error`: FP8 numerics from the command line, thin wrappers over
// src/numerics (casts, the code table, the outlier-scaling demo) and src/experiments/fp8-gemm-error.ts.
// Stdin is read only when it is not a terminal; the reader is injected so tests can feed it.
import {
  formatFp8GemmErrorTable,
  runFp8GemmErrorStudy,
  writeFp8GemmErrorRun,
  type Distribution,
} from '../experiments/fp8-gemm-error.ts';
import { codeBits, codeClass, decodeFp8, encodeFp8 } from '../numerics/fp8.ts';
import { fp8Format, FP8_FORMAT_NAMES, type Fp8Format, type Fp8FormatName } from '../numerics/formats.ts';
import { outlierScalingDemo, OUTLIER_DEMO_DEFAULTS } from '../numerics/outlier-demo.ts';
import { InputError } from '../core/errors.ts';
import { bool, num, str, UsageError, type FlagSpec } from './args.ts';
import { defineCommand, defineGroup, type Command } from './command.ts';
import { checkOutDir, toJson } from './output.ts';
import { ProgressBar } from './progress.ts';

export interface Fp8Deps {
  /** All of stdin as text, or null when stdin is an interactive terminal (nothing piped in). */
  readStdin: () => Promise<string | null>;
}

async function readProcessStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Largest matrix (elements) the demos allocate: 2^26 float32 values is 256 MB per copy. */
export const MAX_ELEMENTS = 2 ** 26;

const formatFlag: FlagSpec = { type: 'string', help: 'FP8 format', choices: FP8_FORMAT_NAMES, default: 'e4m3' };
const jsonFlag: FlagSpec = { type: 'bool', help: 'print machine-readable JSON' };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number as a person types it: decimal or exponent notation, or inf / -inf / nan. Undefined if not a number. */
export function parseNumberToken(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  return DECIMAL.test(t) ? Number(t) : undefined;
}

/** Hex form of a code, zero-padded: hex(0x7e, 2) = '0x7e'. */
const hex = (code: number, digits: number): string => '0x' + code.toString(16).padStart(digits, '0');

/** String(v), except that -0 keeps its sign. */
const showNumber = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

function relError(input: number, value: number): string {
  if (!Number.isFinite(input)) return '-';
  if (!Number.isFinite(value)) return 'overflow';
  if (input === 0) return value === 0 ? '0' : 'inf';
  const r = Math.abs((value - input) / input);
  return r === 0 ? '0' : `${(r * 100).toPrecision(3)}%`;
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, j) => (rightAlign[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function castCommand(deps: Fp8Deps): Command {
  return defineCommand(
    {
      name: 'cast',
      summary: 'cast numbers to FP8: code, decoded value and relative error',
      usage:
        'tinyseek fp8 cast [--format e4m3|e5m2] [--saturate] [--values 1.5,-3,...] [--json]  (or numbers on stdin, one per line)',
      flags: {
        format: formatFlag,
        saturate: {
          type: 'bool',
          help: 'clamp to ±max before the cast (as the e4m3 cast of PyTorch 2.13 does); without it overflow gives NaN (e4m3) or ±inf (e5m2)',
        },
        values: {
          type: 'list',
          help: 'comma-separated numbers; without it, numbers are read from stdin',
          meta: 'X,Y,...',
        },
        json: jsonFlag,
      },
      examples: [
        'tinyseek fp8 cast --values 0.1,1.5,500',
        'printf "3.14\\n1e6\\n" | tinyseek fp8 cast --format e5m2 --saturate',
      ],
    },
    async (args, io) => {
      const fmt = fp8Format(str(args, 'format') as Fp8FormatName);
      const saturate = bool(args, 'saturate');
      let items: { where: string; text: string }[];
      const listed = args.flags.values as string[] | undefined;
      // Everything is validated before anything is printed: a bad number fails the whole cast with one line
      // (a usage error for --values, exit 2; bad data on stdin, exit 1).
      const Bad = listed !== undefined ? UsageError : InputError;
      if (listed !== undefined) {
        items = listed.map((text, i) => ({ where: `--values: value ${i + 1}`, text }));
      } else {
        const text = await deps.readStdin();
        if (text === null) throw new UsageError('give numbers with --values or pipe them on stdin, one per line');
        items = text
          .split(/\r?\n/)
          .map((line, i) => ({ where: `stdin line ${i + 1}`, text: line }))
          .filter((it) => it.text.trim() !== '');
      }
      if (items.length === 0) throw new Bad(`${listed !== undefined ? '--values' : 'stdin'}: no numbers to cast`);
      const parsed = items.map((it) => ({ ...it, x: parseNumberToken(it.text) }));
      const bad = parsed.filter((p) => p.x === undefined);
      if (bad.length > 0) {
        const more =
          bad.length > 1
            ? ` (and ${bad.length - 1} more: ${bad
                .slice(1, 4)
                .map((b) => b.where.replace(/^(--values: |stdin )/, ''))
                .join(', ')}${bad.length > 4 ? ', …' : ''})`
            : '';
        throw new Bad(`${bad[0]!.where}: '${bad[0]!.text.trim()}' is not a number${more}`);
      }
      const results = parsed.map(({ x }) => {
        const code = encodeFp8(x!, fmt, saturate);
        return { input: x!, code, value: decodeFp8(code, fmt) };
      });
      if (bool(args, 'json')) {
        io.out(toJson(results) + '\n');
      } else {
        const rows = [
          ['input', 'code', 'bits', 'value', 'rel.error'],
          ...results.map((r) => [
            showNumber(r.input),
            hex(r.code, 2),
            codeBits(r.code, fmt),
            showNumber(r.value),
            relError(r.input, r.value),
          ]),
        ];
        io.out(table(rows, [true, false, false, true, true]));
      }
      return 0;
    },
  );
}

const tableCommand = defineCommand(
  {
    name: 'table',
    summary: 'all 256 codes of an FP8 format with their values',
    usage: 'tinyseek fp8 table [--format e4m3|e5m2] [--json]',
    flags: { format: formatFlag, json: jsonFlag },
    examples: ['tinyseek fp8 table --format e5m2'],
  },
  async (args, io) => {
    const fmt = fp8Format(str(args, 'format') as Fp8FormatName);
    const codes = Array.from({ length: 256 }, (_, c) => c);
    if (bool(args, 'json')) {
      io.out(
        toJson(
          codes.map((c) => ({
            code: c,
            bits: codeBits(c, fmt),
            value: decodeFp8(c, fmt),
            class: codeClass(c, fmt),
          })),
        ) + '\n',
      );
      return 0;
    }
    io.out(
      `${fmt.torchName}: bias ${fmt.bias}, max ±${fmt.maxFinite}, ${fmt.hasInf ? 'inf = S.11111.00, NaN = S.11111.{01,10,11}' : 'no inf, NaN = S.1111.111'}\n`,
    );
    io.out(
      table(
        [
          ['code', 'bits', 'value', 'class'],
          ...codes.map((c) => [hex(c, 2), codeBits(c, fmt), showNumber(decodeFp8(c, fmt)), codeClass(c, fmt)]),
        ],
        [false, false, true, false],
      ),
    );
    return 0;
  },
);

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

const scaleCommand = defineCommand(
  {
    name: 'scale',
    summary: 'demo: one outlier ruins per-tensor scaling but not 1xT tile scaling',
    usage:
      'tinyseek fp8 scale [--outlier X] [--tokens N] [--channels N] [--tile T] [--format e4m3|e5m2] [--ue8m0] [--seed S] [--json]',
    flags: {
      format: formatFlag,
      tokens: {
        type: 'int',
        help: 'rows (tokens) of the activation matrix',
        default: OUTLIER_DEMO_DEFAULTS.tokens,
        min: 1,
      },
      channels: { type: 'int', help: 'columns (channels)', default: OUTLIER_DEMO_DEFAULTS.channels, min: 1 },
      tile: { type: 'int', help: 'tile length / block side T', default: OUTLIER_DEMO_DEFAULTS.tileSize, min: 1 },
      outlier: {
        type: 'float',
        help: 'value of the one outlier among N(0,1) activations',
        default: OUTLIER_DEMO_DEFAULTS.outlier,
      },
      ue8m0: { type: 'bool', help: 'round scales up to powers of two (UE8M0)' },
      seed: { type: 'int', help: 'random seed', default: 0 },
      json: jsonFlag,
    },
    examples: ['tinyseek fp8 scale', 'tinyseek fp8 scale --outlier 1e4 --tile 32 --channels 64'],
  },
  async (args, io) => {
    const o = {
      format: str(args, 'format') as Fp8FormatName,
      tokens: num(args, 'tokens'),
      channels: num(args, 'channels'),
      tileSize: num(args, 'tile'),
      outlier: num(args, 'outlier'),
      seed: num(args, 'seed'),
      ue8m0Scales: bool(args, 'ue8m0'),
    };
    if (o.outlier === 0 || !Number.isFinite(Math.fround(o.outlier)))
      throw new UsageError(`--outlier must be non-zero and within float32 range, got ${o.outlier}`);
    if (o.tokens * o.channels < 2) throw new UsageError('--tokens × --channels must be at least 2');
    if (o.tokens * o.channels > MAX_ELEMENTS)
      throw new UsageError(
        `--tokens × --channels = ${o.tokens * o.channels} values, more than the ${MAX_ELEMENTS} this demo allocates`,
      );
    const rows = outlierScalingDemo(o);
    if (bool(args, 'json')) {
      io.out(toJson({ options: o, rows }, 2) + '\n');
      return 0;
    }
    const fmt = fp8Format(o.format);
    io.out(
      `${o.format.toUpperCase()}: ${o.tokens} tokens × ${o.channels} channels of N(0,1), one outlier = ${o.outlier}; ` +
        `errors over the other ${o.tokens * o.channels - 1} values\n\n`,
    );
    io.out(
      table(
        [
          ['scaling', 'scales', 'rel.RMSE', 'median rel', 'max rel', 'flushed to 0', 'outlier rel'],
          ...rows.map((r) => [
            r.scaling,
            String(r.scales),
            pct(r.relRmse),
            pct(r.medianRelError),
            pct(r.maxRelError),
            String(r.flushedToZero),
            r.outlierRelError === null ? '-' : pct(r.outlierRelError),
          ]),
        ],
        [false, true, true, true, true, true, true],
      ),
    );
    io.out(
      `\nPer-tensor: s = ${o.outlier}/${fmt.maxFinite}, so an ordinary value x lands at x·${fmt.maxFinite}/${o.outlier} in FP8 units; ` +
        `small ones fall into subnormals or to zero.\nTiles and blocks: only the group holding the outlier pays (V3 §3.3).\n`,
    );
    return 0;
  },
);

const gemmErrorCommand = defineCommand(
  {
    name: 'gemm-error',
    summary: 'study: FP8 GEMM error vs K with and without FP32 promotion',
    usage:
      'tinyseek fp8 gemm-error [--ks 128,...,8192] [--m 32] [--n 32] [--dist normal,uniform] [--format e4m3|e5m2] [--seed S] [--out DIR]',
    flags: {
      ks: {
        type: 'intlist',
        help: 'reduction lengths K',
        default: [128, 256, 512, 1024, 2048, 4096, 8192],
        min: 1,
        meta: 'K,K,...',
      },
      m: { type: 'int', help: 'rows of A', default: 32, min: 1 },
      n: { type: 'int', help: 'columns of B', default: 32, min: 1 },
      dist: {
        type: 'list',
        help: 'entry distributions: normal (N(0,1)) and/or uniform (U[0,1))',
        default: ['normal', 'uniform'],
        meta: 'D,D',
      },
      format: formatFlag,
      seed: { type: 'int', help: 'random seed', default: 0 },
      out: { type: 'string', help: 'run directory (default runs/fp8-gemm-error-seed<S>)', meta: 'DIR' },
    },
    examples: ['tinyseek fp8 gemm-error', 'tinyseek fp8 gemm-error --ks 1024,4096 --dist uniform --out /tmp/fp8'],
  },
  async (args, io) => {
    const dists = args.flags.dist as string[];
    for (const d of dists)
      if (d !== 'normal' && d !== 'uniform') throw new UsageError(`--dist must be normal and/or uniform, got '${d}'`);
    const seed = num(args, 'seed');
    const ks = args.flags.ks as number[];
    const dir = (args.flags.out as string | undefined) ?? `runs/fp8-gemm-error-seed${seed}`;
    const m = num(args, 'm'),
      n = num(args, 'n'),
      kMax = Math.max(...ks);
    if (Math.max(m, n) * kMax > MAX_ELEMENTS)
      throw new UsageError(
        `--m/--n × --ks: a ${Math.max(m, n)}×${kMax} matrix is more than the ${MAX_ELEMENTS} values this study allocates`,
      );
    checkOutDir(dir);
    const bar = new ProgressBar({ total: dists.length * ks.length, label: 'fp8 gemm-error', io });
    const results = runFp8GemmErrorStudy(
      { seed, ks, m, n, format: str(args, 'format') as Fp8FormatName, dists: dists as Distribution[] },
      () => bar.tick(),
    );
    bar.done();
    const files = writeFp8GemmErrorRun(dir, results);
    io.out(formatFp8GemmErrorTable(results));
    io.out(`\nwrote ${files.join(', ')}\n`);
    return 0;
  },
);

/** The `fp8` command group; `deps` replaces stdin in tests. */
export function makeFp8Command(deps: Fp8Deps = { readStdin: readProcessStdin }): Command {
  return defineGroup('fp8', 'FP8 formats, casts, fine-grained scaling and the GEMM accumulation study', [
    castCommand(deps),
    tableCommand,
    scaleCommand,
    gemmErrorCommand,
  ]);
}

export const fp8Command = makeFp8Command();
