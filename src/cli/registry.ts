// Every `tinyseek` subcommand, in the order `tinyseek --help` lists them.
import { ahaCommand } from './aha.ts';
import type { Command } from './command.ts';
import { costCommand } from './cost.ts';
import { evalCommand } from './eval.ts';
import { experimentCommand } from './experiment.ts';
import { exportCommand } from './export.ts';
import { fp8Command } from './fp8.ts';
import { fp8TrainCommand } from './fp8-train.ts';
import { logitsCommand } from './logits.ts';
import { lessonCommand, lessonsCommand, startCommand } from './lessons.ts';
import { pretrainCommand } from './pretrain.ts';
import { sampleCommand } from './sample.ts';

export const commands: Command[] = [startCommand, lessonsCommand, lessonCommand, pretrainCommand, ahaCommand, sampleCommand, evalCommand, logitsCommand, exportCommand, experimentCommand, fp8Command, fp8TrainCommand, costCommand];
