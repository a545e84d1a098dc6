export * from './lookup.ts';
export * from './profiles.ts';
export * from './table.ts';
export * from './types.ts';
