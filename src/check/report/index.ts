import type { CheckResult } from '../types.ts';
import { formatHtml } from './html.ts';
import { formatJunit } from './junit.ts';
import { formatJson, formatText } from './text.ts';

export const FORMATS = ['text', 'json', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** Formats a check result; the core never prints, the CLI picks one of these. */
export function formatResult(result: CheckResult, format: Format, width?: number): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'junit':
      return formatJunit(result);
    case 'html':
      return formatHtml(result);
    default:
      return formatText(result, width);
  }
}

export { summaryLine } from './text.ts';
export { formatHtml, formatJson, formatJunit, formatText };
