// `tinyseek export --hf --model DIR --out DIR`: a checkpoint as a Hugging Face model directory that
// transformers loads with AutoModelForCausalLM / AutoTokenizer: config.json (model_type llama for dense
// attention, deepseek_v3 for MLA/MoE), model.safetensors (float32, the same bytes per tensor),
// generation_config.json, and for the character vocabulary tokenizer.json + tokenizer_config.json.
// fixtures/make/hf_export_check.py checks the result against transformers (fixtures/hf-export).
import { resolve } from 'node:path';
import { join } from 'node:path';
import { writeJsonAtomic } from '../core/fsio.ts';
import { loadCheckpoint, saveHfCheckpoint } from '../model/checkpoint.ts';
import { hfTokenizerConfig, hfTokenizerJson } from '../world/hf-tokenizer.ts';
import { ANSWER_END_ID, BOS_ID, EOS_ID, PAD_ID, vocabSize } from '../world/tokenizer.ts';
import { bool, optStr, UsageError } from './args.ts';
import { defineCommand, type Command } from './command.ts';
import { checkInDir, checkOutDir } from './output.ts';

export const exportCommand: Command = defineCommand(
  {
    name: 'export',
    summary:
      'write a checkpoint as a Hugging Face directory (transformers AutoModelForCausalLM / AutoTokenizer load it)',
    usage: 'tinyseek export --hf --model DIR --out DIR',
    flags: {
      hf: { type: 'bool', help: 'Hugging Face layout (the one export format)' },
      model: { type: 'string', help: 'checkpoint directory (a tinyseek run or an HF directory)', meta: 'DIR' },
      out: { type: 'string', help: 'directory to write', meta: 'DIR' },
      'allow-nonfinite': { type: 'bool', help: 'export weights holding NaN/Inf too' },
    },
    examples: [
      'tinyseek export --hf --model fixtures/base --out hf/base',
      'python -c "from transformers import AutoModelForCausalLM as M; M.from_pretrained(\'hf/base\')"',
    ],
  },
  async (a, io) => {
    if (!bool(a, 'hf')) throw new UsageError('give --hf (the Hugging Face layout is the one export format)');
    const dir = optStr(a, 'model'),
      out = optStr(a, 'out');
    if (!dir) throw new UsageError('--model DIR is required');
    if (!out) throw new UsageError('--out DIR is required');
    checkInDir(dir, '--model');
    if (resolve(dir) === resolve(out))
      throw new UsageError('--out must differ from --model (the export would overwrite its config.json)');
    checkOutDir(out);
    const { model, meta } = loadCheckpoint(dir, { requiresGrad: false, allowNonfinite: bool(a, 'allow-nonfinite') });
    const c = model.config;
    // The character vocabulary goes along when the model uses it (a model read from elsewhere may not).
    const chars = c.vocabSize === vocabSize;
    const ids = chars ? { bos_token_id: BOS_ID, eos_token_id: EOS_ID, pad_token_id: PAD_ID } : {};
    const provenance = typeof meta.step === 'number' ? { step: meta.step } : {};
    await saveHfCheckpoint(out, model, provenance, ids);
    const files = ['config.json', 'model.safetensors', 'generation_config.json'];
    writeJsonAtomic(join(out, 'generation_config.json'), {
      ...(chars ? { bos_token_id: BOS_ID, eos_token_id: [EOS_ID, ANSWER_END_ID], pad_token_id: PAD_ID } : {}),
      do_sample: false,
      max_length: c.maxSeqLen,
    });
    if (chars) {
      writeJsonAtomic(join(out, 'tokenizer.json'), hfTokenizerJson());
      writeJsonAtomic(join(out, 'tokenizer_config.json'), hfTokenizerConfig(c.maxSeqLen));
      files.push('tokenizer.json', 'tokenizer_config.json');
    }
    const kind = c.mla ? 'deepseek_v3' : 'llama';
    io.out(`wrote ${out}/ as Hugging Face ${kind}: ${files.join(', ')}\n`);
    if (!chars)
      io.err(
        `tinyseek: no tokenizer written: the model's vocabulary (${c.vocabSize}) is not tinyseek's character vocabulary (${vocabSize})\n`,
      );
    io.out(
      `load it: AutoModelForCausalLM.from_pretrained('${out}')${chars ? `, AutoTokenizer.from_pretrained('${out}')` : ''}\n`,
    );
    return 0;
  },
);
