// The differentiable ops, one family per file, each forward beside its backward.
export * from './elementwise.ts';
export * from './reduce.ts';
export * from './shape.ts';
export * from './matmul.ts';
export * from './gather.ts';
export * from './softmax.ts';
export * from './loss.ts';
export * from './norm.ts';
export * from './rope.ts';
export * from './attention.ts';
export * from './activation.ts';
export * from './grouped.ts';
