export * from './catalog/index.ts';
export * from './errors.ts';
