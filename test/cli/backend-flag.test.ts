// `--backend cpu|webgpu` on every command: taken out before the command parses its own flags, checked, and
// with no WebGPU adapter a one-line error and exit 1 (never a quiet fall-back to the CPU).
import { describe, expect, it } from 'vitest';
import { main, takeBackendFlag } from '../../src/cli/main.ts';

function recorder() {
  const out: string[] = [],
    err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), isTTY: false }, out, err };
}

describe('--backend', () => {
  it('is taken out of any command line, in both spellings', () => {
    expect(takeBackendFlag(['--steps', '3', '--backend', 'webgpu', '--seed', '1'])).toEqual({
      backend: 'webgpu',
      args: ['--steps', '3', '--seed', '1'],
    });
    expect(takeBackendFlag(['--backend=cpu'])).toEqual({ backend: 'cpu', args: [] });
    expect(takeBackendFlag(['--steps', '3'])).toEqual({ backend: undefined, args: ['--steps', '3'] });
    expect(() => takeBackendFlag(['--backend'])).toThrow(/needs a value/);
  });

  it('refuses an unknown backend as a usage error', async () => {
    const r = recorder();
    expect(await main(['logits', '--backend', 'tpu'], r.io)).toBe(2);
    expect(r.err.join('')).toBe("tinyseek: --backend must be one of cpu, webgpu, got 'tpu'\n");
  });

  it('says in one line that no adapter exists, and exits 1', async () => {
    const saved = { icd: process.env.VK_ICD_FILENAMES, drv: process.env.VK_DRIVER_FILES };
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    delete process.env.VK_DRIVER_FILES;
    try {
      const r = recorder();
      const code = await main(['logits', '--backend', 'webgpu', '--model', 'x', '--ids', '1'], r.io);
      expect(code).toBe(1);
      const err = r.err.join('');
      expect(err.split('\n').filter(Boolean)).toHaveLength(1);
      expect(err).toMatch(/^tinyseek: (no WebGPU adapter found|--backend webgpu needs the optional 'webgpu' package)/);
    } finally {
      if (saved.icd === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved.icd;
      if (saved.drv !== undefined) process.env.VK_DRIVER_FILES = saved.drv;
    }
  });
});
