// src/cost: the cost model — parameters, FLOPs, KV cache, communication, pipeline bubbles, step time, training
// and serving cost for DeepSeek-V3 and any model shape (presets, Hugging Face config.json, tinyseek run configs),
// on any GPU of the catalogue or your own. The `tinyseek/cost` entry point of the package.
export * from './shape.ts';
export * from './params.ts';
export * from './flops.ts';
export * from './kvcache.ts';
export * from './hardware.ts';
export * from './models.ts';
export * from './presets.ts';
export * from './comm.ts';
export * from './parallel.ts';
export * from './pipeline.ts';
export * from './step.ts';
export * from './train.ts';
export * from './serve.ts';
export * from './rl.ts';
export * from './ledger.ts';
export * from './hf-config.ts';
export * from './gpu-file.ts';
