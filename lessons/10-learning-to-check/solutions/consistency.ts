// Solution: walk the words once, remembering where the steps are; a verdict's future is whether a step
// lies between it and "so".

export interface Consistency {
  noVerdicts: number;
  continuedAfterNo: number;
  yesVerdicts: number;
  stoppedAfterYes: number;
}

const STEP = /^\d+[+\-*/]\d+=\d+$/;

export function consistency(think: string): Consistency {
  const words = think.split(' ');
  const end = words.indexOf('so') < 0 ? words.length : words.indexOf('so');
  const isStep = words.map((w, i) => i < end && STEP.test(w) && words[i - 1] !== 'check');
  const stepAfter = (i: number) => isStep.some((s, j) => s && j > i);
  const c: Consistency = { noVerdicts: 0, continuedAfterNo: 0, yesVerdicts: 0, stoppedAfterYes: 0 };
  for (let i = 0; i < end; i++) {
    if (words[i] === 'no') {
      c.noVerdicts++;
      if (stepAfter(i)) c.continuedAfterNo++;
    } else if (words[i] === 'yes') {
      c.yesVerdicts++;
      if (!stepAfter(i)) c.stoppedAfterYes++;
    }
  }
  return c;
}
