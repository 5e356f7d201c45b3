// The lesson registry: every lesson manifest, in order. To add lesson N, create `lessons/NN-name/index.ts`
// default-exporting a `Lesson` (see src/tui/manifest.ts; lessons/00-welcome is a complete example), import it here
// and append it. List the modules it needs in `requires` so the menu hides it until they exist, and run
// `tinyseek lessons check` (it is also part of `npm test`).
import welcome from './00-welcome/index.ts';
import tokens from './01-tokens/index.ts';
import thinkingTokens from './02-thinking-tokens/index.ts';
import aha from './03-aha/index.ts';
import fp8 from './04-fp8/index.ts';
import cost from './05-cost/index.ts';
import v3Architecture from './06-v3-architecture/index.ts';
import roadsNotTaken from './07-roads-not-taken/index.ts';
import r1ZeroToR1 from './08-r1-zero-to-r1/index.ts';
import distillation from './09-distillation/index.ts';
import learningToCheck from './10-learning-to-check/index.ts';
import sameCodeOnAGpu from './11-same-code-on-a-gpu/index.ts';
import type { Lesson } from '../src/tui/manifest.ts';

export const lessons: Lesson[] = [
  welcome,
  tokens,
  thinkingTokens,
  aha,
  fp8,
  cost,
  v3Architecture,
  roadsNotTaken,
  r1ZeroToR1,
  distillation,
  learningToCheck,
  sameCodeOnAGpu,
];
