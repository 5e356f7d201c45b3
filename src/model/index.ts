// src/model: the DeepSeek-V3-shaped transformer (MLA, DeepSeekMoE with the aux-loss-free bias, MTP, YaRN), its
// configs, generation and sampling, and checkpoints in both layouts (tinyseek run directories and Hugging Face
// deepseek_v3/llama directories, safetensors underneath). The `tinyseek/model` entry point of the package.
import { chooseBackend } from '../backend/choose.ts';

// Importing the library makes the program's edge here: tensors default to the CPU reference backend
// ($TINYSEEK_BACKEND if set) unless the program calls chooseBackend itself.
chooseBackend();
export { chooseBackend } from '../backend/choose.ts';
export * from './config.ts';
export * from './transformer.ts';
export * from './checkpoint.ts';
export * from './safetensors.ts';
export * from './hf-config.ts';
export { adaptHfTensors, readHfTensors } from './hf-checkpoint.ts';
export * from './weights.ts';
export * from './generate.ts';
export * from './sampling.ts';
export * from './speculative.ts';
export * from './yarn.ts';
