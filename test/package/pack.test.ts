// The package as another project sees it: `npm pack` (whose prepack builds dist/ with tsc), the tarball unpacked
// into a temporary project's node_modules, and plain Node (no tsx) importing every entry point and using it;
// tsc type-checks the consumer against the shipped .d.ts files. The dependencies are linked from this
// repository's node_modules instead of downloaded, so the test needs no network.
// Slow (about 30-60 s: the tsc build inside npm pack); it is the one test that builds the package.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'tinyseek-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONSUMER = `
import { model, numerics as ns } from 'tinyseek';
import { loadCheckpoint, toHfConfig } from 'tinyseek/model';
import { encodeFp8, decodeFp8, fp8Format } from 'tinyseek/numerics';
import { countParams, DEEPSEEK_V3 } from 'tinyseek/cost';
import { encode, decode } from 'tinyseek/world';
import { fileURLToPath } from 'node:url';
const base = fileURLToPath(new URL('./node_modules/tinyseek/fixtures/base', import.meta.url));
const { model: m, meta } = loadCheckpoint(base, { requiresGrad: false });
const e4m3 = fp8Format('e4m3');
console.log(JSON.stringify({
  sameNamespace: model.loadCheckpoint === loadCheckpoint && ns.encodeFp8 === encodeFp8,
  fp8: decodeFp8(encodeFp8(0.1, e4m3), e4m3),
  v3Params: countParams(DEEPSEEK_V3).total,
  modelType: toHfConfig(m.config).model_type,
  step: meta.step,
  roundTrip: decode(encode('<bos>12+7=?')),
}));
`;

describe('the packed package (slow: builds dist/)', () => {
  it('packs, installs into a temporary project and imports without tsx, with types', () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--pack-destination', tmp, '--json'], {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const files = (packed[0].files as { path: string }[]).map((f) => f.path);
    for (const f of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/model/index.js',
      'dist/src/cost/index.d.ts',
      'bin/tinyseek.js',
      'fixtures/base/model.safetensors',
      'fixtures/distill/student-15k/model.safetensors',
      'fixtures/distill/teacher-104k/model.safetensors',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /^(test|bench)\//.test(f) || f.startsWith('fixtures/deepseek-v3'))).toEqual([]);

    const project = join(tmp, 'consumer');
    const pkgDir = join(project, 'node_modules', 'tinyseek');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, packed[0].filename), '-C', pkgDir, '--strip-components=1']);
    const deps = Object.keys(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).dependencies);
    mkdirSync(join(project, 'node_modules', '@types'));
    for (const d of [...deps, '@types/node'])
      symlinkSync(join(repo, 'node_modules', d), join(project, 'node_modules', d), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER);

    const out = JSON.parse(execFileSync(process.execPath, ['consumer.mjs'], { cwd: project, encoding: 'utf8' }));
    expect(out).toEqual({
      sameNamespace: true,
      fp8: 0.1015625,
      v3Params: expect.any(Number),
      modelType: 'llama',
      step: 3000,
      roundTrip: '<bos>12+7=?',
    });
    expect(out.v3Params / 1e9).toBeCloseTo(671, -1);

    // The same code, type-checked by tsc against the package's .d.ts files (no paths into src/).
    writeFileSync(
      join(project, 'consumer.ts'),
      CONSUMER + '\nconst n: number = countParams(DEEPSEEK_V3).total;\nvoid n;\n',
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
      cwd: project,
      encoding: 'utf8',
    });

    // The installed command runs too.
    expect(
      execFileSync(process.execPath, [join(pkgDir, 'bin', 'tinyseek.js'), '--version'], {
        cwd: project,
        encoding: 'utf8',
      }),
    ).toMatch(/^tinyseek \d+\.\d+\.\d+/);
  }, 300_000);
});
