export { PROBE_IDS } from './probes/index.ts';
export {
  FORMATS,
  type Format,
  formatHtml,
  formatJson,
  formatJunit,
  formatResult,
  formatText,
  summaryLine,
} from './report/index.ts';
export { CheckError, runCheck } from './run.ts';
export { type TargetDescription, WELL_KNOWN_TARGET } from './target.ts';
export { loadTargetFile, TargetError, validateTarget } from './target-file.ts';
export type {
  Check as CheckItem,
  CheckOptions,
  CheckProgress,
  CheckResult,
  Exchange,
  ProbeResult,
  Verdict,
} from './types.ts';
