/**
 * statuskit/lab — the reference service: every code of the contract produced
 * by a real request against in-memory state. See docs/lab.md.
 */
export { createLab, EXAMPLE_STREAM, type Lab, type RunningLab, type StartLabOptions, startLab } from './lab.ts';
export type { LabOptions, Sleep } from './options.ts';
