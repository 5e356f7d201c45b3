// Shared set-ups for the projection tests: the V3 and Llama presets as checked scenarios.
import { trainScenario, type TrainOverrides, type TrainScenario } from '../../src/cost/scenario.ts';

export function scenario(id: string, o: TrainOverrides = {}): TrainScenario {
  const sc = trainScenario(id, o);
  if (!('setup' in sc) || sc.problems.length) throw new Error(sc.problems.join('; '));
  return sc;
}
