export * from './conditional.ts';
export * from './etag.ts';
export * from './http-date.ts';
export * from './range.ts';
export * from './validate.ts';
