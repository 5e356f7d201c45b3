// The `tinyseek cost` command (src/cli/cost.ts), driven through a recording IO.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import type { IO } from '../../src/cli/command.ts';
import { costCommand } from '../../src/cli/cost.ts';
import { InputError } from '../../src/core/errors.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: IO = { out: (s) => void (out += s), err: (s) => void (out += s), isTTY: false };
  const code = await costCommand.run(argv, io);
  return { code, out };
}

describe('tinyseek cost', () => {
  it("shows V3's 2.788M GPU-hours and $5.576M by default", async () => {
    const { code, out } = await run('train');
    expect(code).toBe(0);
    expect(out).toContain('2.788M');
    expect(out).toContain('$5.576M');
    expect(out).toContain('Which assumption produces the hours: the MFU.');
  });

  it('takes scientific notation and what-if flags', async () => {
    const { out } = await run('train', '--gpu', 'h100', '--gpus', '2.048e3', '--tokens', '14.8e12', '--mfu', '0.45');
    expect(out).toMatch(/pre-training\s+14\.8T\s+4K\s+249\.8\s+45\.0%\s+assumed/);
    expect(out).toContain('2048 × NVIDIA H100');
  });

  it('prints JSON for machines', async () => {
    const json = JSON.parse((await run('train', '--preset', 'llama-3.1-405b', '--json')).out);
    expect(json.preset).toBe('llama-3.1-405b');
    expect(Math.abs(json.total.gpuHours / json.published.gpuHours - 1)).toBeLessThan(0.15);
    expect(JSON.parse((await run('serve', '--json')).out).decode.batch).toBeGreaterThan(1);
    expect(JSON.parse((await run('model', '--json')).out).params.total).toBe(671_026_404_352);
    expect(JSON.parse((await run('gpus', '--json')).out).catalogue).toHaveLength(7);
  });

  it('tells the story line by line with --explain', async () => {
    expect((await run('train', '--explain')).out).toContain('2.665M GPU-hours (published 2.664M');
  });

  it('shows the H100 what-if table for that preset', async () => {
    expect((await run('train', '--preset', 'deepseek-v3-h100')).out).toContain('H800, TP8 with EP8 inside the node');
  });

  it('reports serving and model configs', async () => {
    expect((await run('serve')).out).toContain('cost-profit margin');
    expect((await run('model', '--config', 'fixtures/cost/hf/llama-3.1-405b/config.json')).out).toContain('516.10 KB');
    expect((await run('gpus', '--gpu-file', 'fixtures/cost/gpus/example.json')).out).toContain('mi300x (user)');
  });

  it('answers an unknown GPU with the list of known ones', async () => {
    await expect(run('train', '--gpu', 'v100')).rejects.toThrow(
      new UsageError(
        "unknown GPU 'v100' (known: h800, h100, h200, h20, a100, b200, gb200; add your own with --gpu-file)",
      ),
    );
    await expect(run('serve', '--gpu', 'v100')).rejects.toThrow(/unknown GPU 'v100'/);
  });

  it('refuses impossible settings: PP beyond the layers, EP beyond the experts, zero GPUs', async () => {
    await expect(run('train', '--pp', '64')).rejects.toThrow(/PP 64 exceeds the 61 layers/);
    await expect(run('train', '--ep', '512', '--gpus', '8192')).rejects.toThrow(
      /EP 512 is larger than the 256 routed experts/,
    );
    await expect(run('train', '--gpus', '0')).rejects.toThrow(/number of GPUs must be a whole number ≥ 1 \(got 0\)/);
    await expect(run('train', '--gpus', '2.5')).rejects.toThrow(UsageError);
    // a problem every phase of the run has, each with its own batch, is said once
    const many = await run('train', '--gpus', '1e30').catch((e: Error) => e.message);
    expect(many).toMatch(
      /^a global batch of \d+ sequences cannot feed DP [\d.e+]+ × 1-sequence micro-batches \(and so in 2 more phases of the run\)$/,
    );
    await expect(run('train', '--schedule', 'gpipe')).rejects.toThrow(
      /--schedule must be one of 1f1b, interleaved, zb1p, dualpipe/,
    );
    await expect(run('train', '--tokens', 'lots')).rejects.toThrow(/--tokens expects a number/);
  });

  it('names a bad file and its field', async () => {
    await expect(run('gpus', '--gpu-file', 'fixtures/cost/hf/llama-3.1-405b/config.json')).rejects.toThrow(InputError);
    await expect(run('model', '--config', 'fixtures/cost/gpus/example.json')).rejects.toThrow(
      /example\.json: expected a JSON object/,
    );
  });

  it('lists its subcommands, and refuses unknown ones', async () => {
    const { code, out } = await run();
    expect(code).toBe(2);
    for (const sub of ['train', 'serve', 'model', 'gpus']) expect(out).toContain(`  ${sub}`);
    await expect(run('bench')).rejects.toThrow(/unknown subcommand 'bench' for 'cost'/);
    expect((await run('train', '--help')).out).toContain('--node-limit');
  });
});
