// Every `tinyseek` subcommand, in the order `tinyseek --help` lists them. Each is loaded only when it runs:
// the list holds names and summaries, so `tinyseek --help`, `--version`, `cost …` and `fp8 …` never import the
// model, the training code or mathjs (test/cli/main.test.ts checks the summaries against the real commands).
import type { Command } from './command.ts';

function lazy(name: string, summary: string, load: () => Promise<Command>): Command {
  return { name, summary, run: async (argv, io) => (await load()).run(argv, io) };
}

export const commands: Command[] = [
  lazy('start', 'open the lesson menu (what npm start runs)', async () => (await import('./lessons.ts')).startCommand),
  lazy(
    'lessons',
    'list the lessons and your progress, or check that every lesson works',
    async () => (await import('./lessons.ts')).lessonsCommand,
  ),
  lazy(
    'lesson',
    'open lesson N in the player, or print it with --plain',
    async () => (await import('./lessons.ts')).lessonCommand,
  ),
  lazy(
    'pretrain',
    'pretrain a tiny transformer on the arithmetic corpus (the base model)',
    async () => (await import('./pretrain.ts')).pretrainCommand,
  ),
  lazy(
    'traces',
    'write solved problems as prompt–completion JSONL (SFT data)',
    async () => (await import('./traces.ts')).tracesCommand,
  ),
  lazy(
    'sft',
    'supervised fine-tuning on prompt–completion JSONL (loss on completion tokens only)',
    async () => (await import('./sft.ts')).sftCommand,
  ),
  lazy(
    'aha',
    'R1-Zero in miniature: GRPO from the base model, accuracy and thinking length rise together',
    async () => (await import('./aha.ts')).ahaCommand,
  ),
  lazy(
    'r1',
    'the R1 pipeline in miniature: zero, cold start, reasoning RL with a language reward, rejection sampling, final RL',
    async () => (await import('./r1.ts')).r1Command,
  ),
  lazy(
    'distill',
    "distil a teacher into a student: SFT on the teacher's verified-right answers, FLOPs counted",
    async () => (await import('./distill.ts')).distillCommand,
  ),
  lazy('sample', 'generate completions from a checkpoint', async () => (await import('./sample.ts')).sampleCommand),
  lazy(
    'eval',
    'held-out accuracy of a checkpoint: greedy, pass@1 and pass@k',
    async () => (await import('./eval.ts')).evalCommand,
  ),
  lazy(
    'logits',
    'print the logits of a checkpoint (tinyseek or Hugging Face deepseek_v3/llama) for given token ids',
    async () => (await import('./logits.ts')).logitsCommand,
  ),
  lazy(
    'export',
    'write a checkpoint as a Hugging Face directory (transformers AutoModelForCausalLM / AutoTokenizer load it)',
    async () => (await import('./export.ts')).exportCommand,
  ),
  lazy(
    'experiment',
    'run an experiment (moe-balance, mla-cache, mtp, moe-vs-dense, priming, distill-vs-rl, roads-not-taken): a table, a plot, a run directory',
    async () => (await import('./experiment.ts')).experimentCommand,
  ),
  lazy(
    'fp8',
    'FP8 formats, casts, fine-grained scaling and the GEMM accumulation study',
    async () => (await import('./fp8.ts')).fp8Command,
  ),
  lazy(
    'fp8-train',
    'experiment: train the same model in FP32, FP8 (V3 tiles/blocks) and FP8 per-tensor; compare loss curves',
    async () => (await import('./fp8-train.ts')).fp8TrainCommand,
  ),
  lazy(
    'cost',
    'analytic cost model: GPU-hours, dollars, NVLink and InfiniBand',
    async () => (await import('./cost.ts')).costCommand,
  ),
  lazy(
    'prm',
    'process reward models: Math-Shepherd labels, PRM/ORM training, best-of-N reranking',
    async () => (await import('./prm.ts')).prmCommand,
  ),
  lazy(
    'mcts',
    'MCTS (PUCT) over reasoning steps or tokens on held-out problems: accuracy and tokens generated',
    async () => (await import('./mcts.ts')).mctsCommand,
  ),
];

/** The real commands behind the list (every module loaded): their flag specs and subcommands, for tests. */
export async function loadCommands(): Promise<Command[]> {
  const m = await Promise.all([
    import('./lessons.ts'),
    import('./pretrain.ts'),
    import('./traces.ts'),
    import('./sft.ts'),
    import('./aha.ts'),
    import('./sample.ts'),
    import('./eval.ts'),
    import('./logits.ts'),
    import('./export.ts'),
    import('./experiment.ts'),
    import('./fp8.ts'),
    import('./fp8-train.ts'),
    import('./cost.ts'),
    import('./r1.ts'),
    import('./distill.ts'),
    import('./prm.ts'),
    import('./mcts.ts'),
  ]);
  const [
    lessons,
    pretrain,
    traces,
    sft,
    aha,
    sample,
    evaluate,
    logits,
    exp,
    experiment,
    fp8,
    fp8Train,
    cost,
    r1,
    distill,
    prm,
    mcts,
  ] = m;
  return [
    lessons.startCommand,
    lessons.lessonsCommand,
    lessons.lessonCommand,
    pretrain.pretrainCommand,
    traces.tracesCommand,
    sft.sftCommand,
    aha.ahaCommand,
    r1.r1Command,
    distill.distillCommand,
    sample.sampleCommand,
    evaluate.evalCommand,
    logits.logitsCommand,
    exp.exportCommand,
    experiment.experimentCommand,
    fp8.fp8Command,
    fp8Train.fp8TrainCommand,
    cost.costCommand,
    prm.prmCommand,
    mcts.mctsCommand,
  ];
}
