// Packing documents into training rows. Each row starts at a document boundary (so the first document sits at
// position 0, as a prompt does at inference) and takes whole documents while they fit; the rest is PAD.
// Targets are the inputs shifted by one; positions whose target is PAD are ignored by the loss.
import { intTensor, type Tensor } from '../core/tensor.ts';
import { encode, PAD_ID } from '../world/index.ts';

export interface Batch {
  /** int32 [B, T] */
  inputs: Tensor;
  /** int32 [B, T]; −1 where nothing is predicted */
  targets: Tensor;
  /** Tokens that carry a loss. */
  tokens: number;
}

/** Greedy packing of encoded documents into `rows` rows of T+1 tokens (inputs and shifted targets). */
export function packDocuments(docs: number[][], rows: number, T: number): { rows: number[][]; used: number } {
  const out: number[][] = [];
  let i = 0;
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    while (i < docs.length && row.length + docs[i]!.length <= T + 1) row.push(...docs[i++]!);
    if (row.length === 0 && i < docs.length) row.push(...docs[i++]!.slice(0, T + 1)); // a document longer than a row is cut
    out.push(row);
  }
  return { rows: out, used: i };
}

export function makeBatch(docs: string[], batchSize: number, T: number): Batch {
  const { rows } = packDocuments(docs.map(encode), batchSize, T);
  const inputs = new Int32Array(batchSize * T).fill(PAD_ID);
  const targets = new Int32Array(batchSize * T).fill(-1);
  let tokens = 0;
  rows.forEach((row, b) => {
    for (let t = 0; t < T && t < row.length; t++) {
      inputs[b * T + t] = row[t]!;
      if (t + 1 < row.length) {
        targets[b * T + t] = row[t + 1]!;
        tokens++;
      }
    }
  });
  return { inputs: intTensor(inputs, [batchSize, T]), targets: intTensor(targets, [batchSize, T]), tokens };
}
