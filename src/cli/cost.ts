// `tinyseek cost train|serve|model|gpus`: the analytic cost model (src/cost) on the command line. Flags become
// a scenario (a preset plus what-if changes), impossible settings become usage errors that say why, and every
// report has a --json twin for machines. All arithmetic lives in src/cost; this file only parses and prints.
import { defineCommand, defineGroup, type IO } from './command.ts';
import { bool, optNum, optStr, str, UsageError, type Parsed } from './args.ts';
import { explainV3Cost } from '../cost/explain.ts';
import { loadGpuFile } from '../cost/gpu-file.ts';
import { inferFlopsPerToken, trainFlopsPerToken } from '../cost/flops.ts';
import { CATALOGUE, type GpuSpec } from '../cost/hardware.ts';
import { loadModelConfig } from '../cost/hf-config.ts';
import { compareKv } from '../cost/kvcache.ts';
import { MODEL_PRESETS } from '../cost/models.ts';
import { countParams } from '../cost/params.ts';
import { SCHEDULES, type Schedule } from '../cost/pipeline.ts';
import { TRAIN_PRESET_IDS } from '../cost/presets.ts';
import { renderGpus, renderModel } from '../cost/report-model.ts';
import { buildServeReport, renderServe } from '../cost/report-serve.ts';
import { renderTrain, trainNotes } from '../cost/report-train.ts';
import { serveScenario, trainScenario, type TrainOverrides } from '../cost/scenario.ts';
import type { ModelShape } from '../cost/shape.ts';
import { projectTrain } from '../cost/train.ts';
import { v3WhatIf } from '../cost/whatif.ts';
import { toJson } from './output.ts';

const print = (io: IO, lines: string[]) => io.out(lines.join('\n') + '\n');
const printJson = (io: IO, value: unknown) => io.out(toJson(value, 2) + '\n');

const userGpus = (a: Parsed): GpuSpec[] => {
  const file = optStr(a, 'gpu-file');
  return file ? loadGpuFile(file) : [];
};

const configShape = (a: Parsed): ModelShape | undefined => {
  const file = optStr(a, 'config');
  return file ? loadModelConfig(file) : undefined;
};

function refuse(problems: string[]): void {
  if (problems.length) throw new UsageError(problems.join('; '));
}

const common = {
  config: {
    type: 'string',
    meta: 'FILE',
    help: "model from a Hugging Face config.json, a tinyseek run directory's config.json, or a shape {d, nLayers, nHeads, vocab, …}",
  },
  gpu: { type: 'string', meta: 'ID', help: "GPU id from 'tinyseek cost gpus' (or your --gpu-file)" },
  'gpu-file': {
    type: 'string',
    meta: 'FILE',
    help: 'JSON file with your own GPUs (see fixtures/cost/gpus/example.json)',
  },
  nvlink: {
    type: 'float',
    meta: 'GB/S',
    help: 'achieved NVLink per GPU per direction (default: measured, else datasheet × 0.8)',
  },
  ib: { type: 'float', meta: 'GB/S', help: 'achieved InfiniBand per GPU per direction' },
  price: { type: 'float', meta: 'USD', help: 'dollars per GPU-hour', min: 0 },
  json: { type: 'bool', help: 'print JSON instead of tables' },
} as const;

const train = defineCommand(
  {
    name: 'train',
    summary: 'GPU-hours, days and dollars of a training run, with where the time and bytes go',
    usage: 'tinyseek cost train [--preset ID] [--gpu ID --gpus N --tokens N --mfu F ...]',
    flags: {
      preset: { type: 'string', choices: TRAIN_PRESET_IDS, default: 'deepseek-v3', help: 'the run to start from' },
      ...common,
      gpus: { type: 'float', meta: 'N', help: 'number of GPUs (scientific notation works: 2.048e3)' },
      tokens: { type: 'float', meta: 'N', help: 'token budget of the first stage, e.g. 14.8e12' },
      seq: { type: 'int', meta: 'N', help: 'sequence length of the first stage' },
      batch: { type: 'float', meta: 'TOKENS', help: 'global batch of the first stage, in tokens' },
      mfu: { type: 'float', meta: 'F', help: 'MFU on the dense BF16 peak for every computed stage, 0..1' },
      mode: {
        type: 'string',
        choices: ['mfu', 'roofline'],
        help: 'mfu: step time from the MFU; roofline: from --efficiency',
      },
      efficiency: {
        type: 'float',
        meta: 'F',
        help: "roofline kernel efficiency η on the BF16 peak (default: V3's, 0.42)",
      },
      tp: { type: 'int', help: 'tensor parallelism' },
      cp: { type: 'int', help: 'context parallelism' },
      pp: { type: 'int', help: 'pipeline parallelism' },
      ep: { type: 'int', help: 'expert parallelism' },
      schedule: { type: 'string', choices: SCHEDULES, help: 'pipeline schedule' },
      v: { type: 'int', help: 'chunks per rank for the interleaved schedule' },
      'micro-batch': { type: 'int', meta: 'SEQS', help: 'sequences per micro-batch' },
      'node-limit': {
        type: 'int',
        meta: 'M',
        help: 'node-limited routing: at most M nodes per token (0 = no limit)',
        min: 0,
      },
      dedup: { type: 'bool', help: 'one IB copy per node, forwarded over NVLink (--no-dedup: one per expert)' },
      dispatch: { type: 'string', choices: ['fp8', 'bf16'], help: 'precision of the all-to-all dispatch' },
      overlap: { type: 'float', meta: 'F', help: 'share of the EP all-to-all hidden under compute, 0..1' },
      goodput: { type: 'float', meta: 'F', help: 'productive share of wall time, 0..1' },
      'what-if': { type: 'bool', help: 'add the V3 what-if table (H800 vs H100, with and without each trick)' },
      explain: { type: 'bool', help: 'print the $5.576M story line by line (DeepSeek-V3) and stop' },
    },
    examples: [
      'tinyseek cost train --preset deepseek-v3',
      'tinyseek cost train --preset deepseek-v3 --gpu h100 --gpus 2048 --tokens 14.8e12 --mfu 0.45',
      'tinyseek cost train --preset deepseek-v3 --mode roofline --overlap 0 --schedule 1f1b',
      'tinyseek cost train --preset llama-3.1-405b',
      'tinyseek cost train --config fixtures/cost/hf/qwen2.5-72b/config.json --gpu h100 --gpus 4096 --tokens 18e12',
    ],
  },
  async (a, io) => {
    if (bool(a, 'explain')) {
      print(io, explainV3Cost());
      return 0;
    }
    const extra = userGpus(a);
    const shape = configShape(a);
    const o: TrainOverrides = {
      gpu: optStr(a, 'gpu'),
      nGpus: optNum(a, 'gpus'),
      shape,
      tokens: optNum(a, 'tokens'),
      seqLen: optNum(a, 'seq'),
      globalBatchTokens: optNum(a, 'batch'),
      mfu: optNum(a, 'mfu'),
      mode: optStr(a, 'mode') as TrainOverrides['mode'],
      efficiency: optNum(a, 'efficiency'),
      tp: optNum(a, 'tp'),
      cp: optNum(a, 'cp'),
      pp: optNum(a, 'pp'),
      ep: optNum(a, 'ep'),
      schedule: optStr(a, 'schedule') as Schedule | undefined,
      v: optNum(a, 'v'),
      microBatchSeqs: optNum(a, 'micro-batch'),
      nodeLimit: optNum(a, 'node-limit'),
      dedup: a.flags.dedup as boolean | undefined,
      dispatch: optStr(a, 'dispatch') as TrainOverrides['dispatch'],
      overlap: optNum(a, 'overlap'),
      goodput: optNum(a, 'goodput'),
      price: optNum(a, 'price'),
      nvlinkGBps: optNum(a, 'nvlink'),
      ibGBps: optNum(a, 'ib'),
    };
    const sc = trainScenario(str(a, 'preset'), o, extra);
    refuse(sc.problems);
    if (!('setup' in sc)) return 2;
    const r = projectTrain(sc.setup, sc.stages);
    const wantWhatIf = bool(a, 'what-if') || (sc.preset.id === 'deepseek-v3-h100' && a.flags['what-if'] !== false);
    const whatIf = wantWhatIf ? v3WhatIf(undefined, extra) : undefined;
    const notes = trainNotes(sc, r);
    if (bool(a, 'json')) {
      printJson(io, {
        preset: sc.preset.id,
        title: sc.preset.title,
        setup: sc.setup,
        stages: r.stages,
        total: r.total,
        published: sc.comparable ? sc.preset.published : undefined,
        whatIf,
        notes,
      });
      return 0;
    }
    print(io, renderTrain(sc, r, notes, whatIf));
    return 0;
  },
);

const serve = defineCommand(
  {
    name: 'serve',
    summary: 'prefill and decode throughput per node, KV memory, and a day of serving as a cost/revenue sheet',
    usage: 'tinyseek cost serve [--preset deepseek-v3] [--gpu ID --tps N --kv-len N ...]',
    flags: {
      preset: {
        type: 'string',
        choices: ['deepseek-v3'],
        default: 'deepseek-v3',
        help: "DeepSeek's V3/R1 fleet (open-infra-index day 6)",
      },
      ...common,
      'prompt-len': { type: 'int', meta: 'N', help: 'prompt length for prefill (default 4989, the average KV length)' },
      'kv-len': { type: 'int', meta: 'N', help: 'KV length during decode' },
      tps: { type: 'float', meta: 'N', help: 'target output tokens per second per user', min: 0.001 },
      'cache-hit': { type: 'float', meta: 'F', help: 'share of input tokens served from the KV cache, 0..1' },
      batch: {
        type: 'int',
        meta: 'N',
        help: 'fix the decode batch per GPU (per TP group) instead of deriving it',
        min: 1,
      },
      'prefill-gpus': { type: 'int', meta: 'N', help: 'GPUs in a prefill EP group', min: 1 },
      'decode-gpus': { type: 'int', meta: 'N', help: 'GPUs in a decode EP group', min: 1 },
      tp: { type: 'int', help: 'tensor parallelism for decode (dense models too large for one GPU)', min: 1 },
      efficiency: { type: 'float', meta: 'F', help: 'kernel efficiency η on the BF16 peak (default 0.42)' },
    },
    examples: [
      'tinyseek cost serve --preset deepseek-v3',
      'tinyseek cost serve --gpu h200 --tps 30',
      'tinyseek cost serve --config fixtures/cost/hf/llama-3.1-405b/config.json --gpu h100 --tp 8',
    ],
  },
  async (a, io) => {
    const extra = userGpus(a);
    const { setup, problems } = serveScenario(
      {
        gpu: optStr(a, 'gpu'),
        shape: configShape(a),
        promptLen: optNum(a, 'prompt-len'),
        kvLen: optNum(a, 'kv-len'),
        tokensPerSecPerUser: optNum(a, 'tps'),
        cacheHitRatio: optNum(a, 'cache-hit'),
        batch: optNum(a, 'batch'),
        prefillGpus: optNum(a, 'prefill-gpus'),
        decodeGpus: optNum(a, 'decode-gpus'),
        tp: optNum(a, 'tp'),
        efficiency: optNum(a, 'efficiency'),
        nvlinkGBps: optNum(a, 'nvlink'),
        ibGBps: optNum(a, 'ib'),
      },
      extra,
    );
    refuse(problems);
    const report = buildServeReport(setup, optNum(a, 'price') ?? 2);
    if (bool(a, 'json')) printJson(io, report);
    else print(io, renderServe(report));
    return 0;
  },
);

const model = defineCommand(
  {
    name: 'model',
    summary: 'parameters, FLOPs per token and KV cache of a model config',
    usage: 'tinyseek cost model [--config FILE | --preset ID] [--seq N] [--ctx N]',
    flags: {
      preset: { type: 'string', choices: Object.keys(MODEL_PRESETS), default: 'deepseek-v3', help: 'a known model' },
      config: common.config,
      seq: { type: 'int', meta: 'N', default: 4096, min: 1, help: 'sequence length for training and prefill FLOPs' },
      ctx: { type: 'int', meta: 'N', min: 1, help: 'KV length for decode FLOPs (default: --seq)' },
      json: common.json,
    },
    examples: [
      'tinyseek cost model --config fixtures/cost/hf/deepseek-v3/config.json',
      'tinyseek cost model --preset llama-3.1-405b --seq 8192',
    ],
  },
  async (a, io) => {
    const file = optStr(a, 'config');
    const shape = configShape(a) ?? MODEL_PRESETS[str(a, 'preset')]!;
    const seqLen = optNum(a, 'seq') ?? 4096;
    const opts = { seqLen, ctx: optNum(a, 'ctx') ?? seqLen, from: file ?? `preset ${str(a, 'preset')}` };
    if (bool(a, 'json')) {
      printJson(io, {
        shape,
        params: countParams(shape),
        trainFlopsPerToken: trainFlopsPerToken(shape, opts.seqLen),
        prefillFlopsPerToken: inferFlopsPerToken(shape, opts.seqLen, 'prefill'),
        decodeFlopsPerToken: inferFlopsPerToken(shape, opts.ctx, 'decode'),
        kvCache: compareKv(shape),
        ...opts,
      });
      return 0;
    }
    print(io, renderModel(shape, opts));
    return 0;
  },
);

const gpus = defineCommand(
  {
    name: 'gpus',
    summary: 'the GPU catalogue: FLOP/s, HBM, NVLink and InfiniBand, with sources',
    usage: 'tinyseek cost gpus [--gpu-file FILE] [--json]',
    flags: { 'gpu-file': common['gpu-file'], json: common.json },
  },
  async (a, io) => {
    const user = userGpus(a);
    if (bool(a, 'json')) {
      printJson(io, { user, catalogue: CATALOGUE });
    } else print(io, renderGpus(user));
    return 0;
  },
);

export const costCommand = defineGroup('cost', 'analytic cost model: GPU-hours, dollars, NVLink and InfiniBand', [
  train,
  serve,
  model,
  gpus,
]);
