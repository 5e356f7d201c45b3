// The CPU bench as one bundle for a machine without Node's toolchain (the lent device: see build-cpu.sh).
// SECTION picks what runs: matmul | model | arch | rl (GRPO steps/s from fixtures/aha-base, the aha run's step). Started through the launcher build-cpu.sh writes, so
// no module's own main-guard fires (in a bundle they all share one import.meta.url).
import { chooseBackend } from '../../src/backend/choose.ts';
import { benchArch } from '../arch.ts';
import { benchModel } from '../index.ts';
import { benchMatmul } from '../matmul.ts';
import { benchRl } from '../rl.ts';

chooseBackend();
const section = process.env.SECTION ?? 'matmul';
const threads = (process.env.TINYSEEK_BENCH_THREADS ?? '1,2').split(',').map(Number);
let out = '';
if (section === 'matmul') out = await benchMatmul();
else if (section === 'model') for (const t of threads) out += (await benchModel(t)) + '\n\n';
else if (section === 'arch') out = await benchArch(7);
else if (section === 'rl') out = await benchRl('fixtures/aha-base', 6, ['grpo']);
process.stdout.write(`\n## ${section}\n\n${out}\n`);
process.exit(0);
