// Bad invocations of every command, generated from the commands' own flag specs (unknown flags, values that are
// not numbers, out of range, not a choice, missing) plus hand-made file cases (missing, empty, directories for
// files, files for directories, corrupt checkpoints, --out naming a file) and huge values. Every one must exit
// 1 or 2 with exactly one line on stderr and no stack trace, and must fail before any work starts. Most run
// in-process through main(); a few go through a real child process and the real bin/tinyseek.js.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlagSpec } from '../../src/cli/args.ts';
import type { Command, IO } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { commands, loadCommands } from '../../src/cli/registry.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

const root = mkdtempSync(join(tmpdir(), 'tinyseek-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (p: string) => join(root, p);

// Files to be bad with.
const aFile = at('a-file.txt');
writeFileSync(aFile, 'hello\n');
const emptyFile = at('empty.json');
writeFileSync(emptyFile, '');
const garbage = at('garbage.json');
writeFileSync(garbage, '{"model": ');
const emptyDir = at('empty-dir');
mkdirSync(emptyDir);
const configIsDir = at('config-is-dir');
mkdirSync(join(configIsDir, 'config.json'), { recursive: true });
const cfg = validateConfig({
  ...defaultConfig,
  dModel: 16,
  nHeads: 2,
  nKvHeads: 2,
  dFF: 32,
  nLayers: 1,
  maxSeqLen: 32,
});
const good = at('good-ckpt');
await saveCheckpoint(good, Transformer.init(cfg, new Rng(1)), { step: 1 });
const truncated = at('truncated-ckpt');
await saveCheckpoint(truncated, Transformer.init(cfg, new Rng(1)));
writeFileSync(
  join(truncated, 'model.safetensors'),
  readFileSync(join(truncated, 'model.safetensors')).subarray(0, 100),
);
const mixed = at('mixed-ckpt'); // new weights beside an old config: an interrupted save
await saveCheckpoint(mixed, Transformer.init(cfg, new Rng(1)));
writeFileSync(
  join(mixed, 'model.safetensors'),
  readFileSync(join(good, 'model.safetensors')).map((b, i) => (i === 200 ? b ^ 1 : b)),
);
const nan = at('nan-ckpt');
{
  const m = Transformer.init(cfg, new Rng(1));
  await saveCheckpoint(
    nan,
    new Transformer(
      cfg,
      new Map(
        [...m.params].map(([k, p]) => [
          k,
          k.endsWith('norm.weight') ? tensor(new Float32Array(p.size).fill(NaN), p.shape) : p,
        ]),
      ),
    ),
  );
}

/** Every leaf command with its path of names: ['cost', 'train'], ['pretrain'], … */
function leaves(list: Command[], prefix: string[] = []): { path: string[]; cmd: Command }[] {
  return list.flatMap((c) => (c.subs ? leaves(c.subs, [...prefix, c.name]) : [{ path: [...prefix, c.name], cmd: c }]));
}

/** Values each flag type must refuse at parse time. */
function badValues(f: FlagSpec): string[] {
  const out: string[] = [];
  if (f.type === 'int' || f.type === 'float') {
    out.push('abc', '1e400', '', 'NaN');
    if (f.type === 'int') out.push('2.5');
    if (f.min !== undefined) out.push(String(f.min - 1));
    if (f.max !== undefined) out.push(String(f.max + 1), '1e30');
  }
  if (f.type === 'intlist') out.push('1,x', '1,,2', '1.5');
  if (f.type === 'bool') out.push('maybe');
  if (f.type === 'string' && f.choices) out.push('no-such-choice');
  return out;
}

const real = await loadCommands();
const generated: string[][] = [];
for (const { path, cmd } of leaves(real)) {
  const spec = cmd.spec!;
  generated.push([...path, '--zzz-not-a-flag']);
  if (!spec.positionals?.length) generated.push([...path, 'stray-argument']);
  for (const [name, f] of Object.entries(spec.flags)) {
    for (const v of badValues(f))
      generated.push(f.type === 'bool' ? [...path, `--${name}=${v}`] : [...path, `--${name}`, v]);
    if (f.type !== 'bool') generated.push([...path, `--${name}`]); // no value
  }
}
generated.push(
  ['frobnicate'],
  ['cost', 'frob'],
  ['fp8', 'nope'],
  ['lesson'],
  ['lesson', '999'],
  ['lesson', 'abc'],
  ['lessons', 'chek'],
  ['experiment'],
  ['experiment', 'nope'],
);

/** File and data cases: exit 1 (bad file) or 2 (bad flag), decided before any work. */
const fileCases: [string[], 1 | 2, RegExp][] = [
  ...(['sample', 'eval', 'logits'] as const).flatMap((c): [string[], 1 | 2, RegExp][] => {
    const extra = c === 'sample' ? ['--problem', '1+1'] : c === 'logits' ? ['--ids', '1,2'] : [];
    return [
      [[c, '--model', at('missing'), ...extra], 1, /config\.json: not found/],
      [[c, '--model', emptyDir, ...extra], 1, /config\.json: not found/],
      [[c, '--model', aFile, ...extra], 1, /is a file, expected a checkpoint directory/],
      [[c, '--model', configIsDir, ...extra], 1, /config\.json.*(directory|EISDIR)/],
      [[c, '--model', truncated, ...extra], 1, /incomplete checkpoint/],
      [[c, '--model', mixed, ...extra], 1, /incomplete checkpoint/],
      [[c, '--model', nan, ...extra], 1, /non-finite/],
    ];
  }),
  [['logits', '--model', good, '--expected', at('missing.json')], 1, /missing\.json: not found/],
  [['logits', '--model', good, '--expected', garbage], 1, /not valid JSON/],
  [['logits', '--model', good, '--expected', emptyDir], 1, /empty-dir/],
  [['logits', '--model', good, '--ids', '999'], 2, /outside the vocabulary/],
  [['logits', '--model', good, '--ids', Array(40).fill(1).join(',')], 2, /exceed maxSeqLen/],
  [['sample', '--model', good, '--problem', '€+1'], 2, /unknown character/],
  [['cost', 'model', '--config', at('missing.json')], 1, /missing\.json/],
  [['cost', 'model', '--config', emptyFile], 1, /not valid JSON/],
  [['cost', 'model', '--config', emptyDir], 1, /empty-dir/],
  [['cost', 'model', '--config', garbage], 1, /not valid JSON/],
  [['cost', 'train', '--gpu-file', emptyDir], 1, /empty-dir/],
  [['cost', 'gpus', '--gpu-file', emptyFile], 1, /empty\.json/],
  [['cost', 'gpus', '--gpu-file', at('missing.json')], 1, /missing\.json/],
  [['cost', 'train', '--gpus', '1e30'], 2, /./],
  [['pretrain', '--out', aFile], 1, /a-file\.txt: exists and is a file/],
  [
    ['pretrain', '--d-model', '1000000', '--out', at('big')],
    2,
    /--d-model\/--layers\/--d-ff\/--heads: the model would have/,
  ],
  [['pretrain', '--layers', '100000', '--out', at('big')], 2, /parameters/],
  [['pretrain', '--batch-size', '1000000', '--seq-len', '100000', '--out', at('big')], 2, /--batch-size × --seq-len/],
  [['pretrain', '--heads', '7', '--out', at('big')], 2, /the model flags/],
  [['pretrain', '--out', join(aFile, 'sub')], 1, /a-file\.txt is a file|not a directory/],
  [['pretrain', '--out', ''], 1, /empty path/],
  [['pretrain', '--resume', '--out', emptyDir], 1, /empty-dir/],
  [['aha', '--out', aFile], 1, /a-file\.txt: exists and is a file/],
  [['aha', '--base', at('missing'), '--out', at('aha-out')], 1, /missing/],
  [['experiment', 'mla-cache', '--out', aFile], 1, /exists and is a file/],
  [['fp8-train', '--out', aFile], 1, /exists and is a file/],
  [['fp8', 'gemm-error', '--out', aFile], 1, /exists and is a file/],
  [['fp8', 'gemm-error', '--ks', '100000000'], 2, /allocates/],
  [['fp8', 'scale', '--tokens', '100000', '--channels', '100000'], 2, /--tokens × --channels/],
  [['fp8', 'cast', '--values', ''], 2, /no numbers/],
  [['fp8', 'cast', '--values', '1,abc'], 2, /value 2: 'abc'/],
  [['sample', '--model', good, '--n', '1e9', '--problem', '1+1'], 2, /--n/],
  [['eval', '--model', good, '--n', '0'], 2, /--n/],
];

function recorder(): IO & { stdout: string; stderr: string } {
  const r = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (s: string) => void (r.stdout += s),
    err: (s: string) => void (r.stderr += s),
  };
  return r;
}

function expectOneLine(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^tinyseek: /);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('CLI fuzz: bad invocations end in one line and exit 1 or 2', () => {
  it(`generates at least 100 bad invocations from the flag specs (${generated.length + fileCases.length} in all)`, () => {
    expect(generated.length + fileCases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(leaves(real).map((l) => l.path[0])).size).toBe(commands.length); // every command is covered
  });

  it.each(generated.map((argv) => [argv.join(' '), argv] as const))('%s', async (_, argv) => {
    const io = recorder();
    const code = await main([...argv], io);
    expect(code).toBe(2);
    expect(io.stdout).toBe('');
    expectOneLine(io.stderr);
  });

  it.each(fileCases.map(([argv, code, re]) => [argv.join(' ').replace(root, '<tmp>'), argv, code, re] as const))(
    '%s',
    async (_, argv, code, re) => {
      const io = recorder();
      expect(await main([...argv], io)).toBe(code);
      expectOneLine(io.stderr);
      expect(io.stderr).toMatch(re);
    },
  );

  it('a few through a real child process and bin/tinyseek.js (slow: one Node start each)', () => {
    const cases: [string[], number][] = [
      [['frobnicate'], 2],
      [['pretrain', '--out', aFile], 1],
      [['fp8', 'scale', '--tokens', '100000', '--channels', '100000'], 2],
      [['sample', '--model', aFile, '--problem', '1+1'], 1],
      [['fp8', 'gemm-error', '--out', aFile, '--ks', '8'], 1],
    ];
    for (const [argv, code] of cases) {
      const r = spawnSync(process.execPath, ['bin/tinyseek.js', ...argv], { encoding: 'utf8' });
      expect([argv.join(' '), r.status]).toEqual([argv.join(' '), code]);
      expectOneLine(r.stderr);
    }
  }, 120_000);
});
