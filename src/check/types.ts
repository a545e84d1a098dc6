import type { ContractCode, Profile } from '../catalog/index.ts';
import type { TargetDescription } from './target.ts';

export type Verdict = 'pass' | 'fail' | 'n/a';

/** One thing a probe verified about an answer. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A response as the report shows it: status line, headers, body size and a short preview. */
export interface ObservedResponse {
  readonly statusLine: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly bodyBytes: number;
  /** The first bytes of the body as text (bounded). */
  readonly bodyPreview: string;
}

/** One request the checker sent and what came back on that connection. */
export interface Exchange {
  /** The request as sent, byte for byte except that long repeated runs are elided. */
  readonly request: string;
  readonly interim: readonly ObservedResponse[];
  readonly response?: ObservedResponse;
  /** Bytes that followed the response although it may carry none (a HEAD/204/304 body). */
  readonly extraBytes: number;
  /** The server closed the connection after its answer. */
  readonly closed: boolean;
  /** Why no (complete) response was read: a timeout, a reset, bytes that are not HTTP. */
  readonly error?: string;
}

export interface ProbeResult {
  readonly id: string;
  /** The contract code (the CONTRACT.md line) the probe is about. */
  readonly code: ContractCode;
  readonly title: string;
  /** The RFC section the verdict rests on, for probes of the request's syntax. */
  readonly rfc?: string;
  readonly verdict: Verdict;
  /** One line: why it passed, failed or does not apply (a probe's RFC section first when it has one). */
  readonly reason: string;
  readonly checks: readonly Check[];
  readonly exchanges: readonly Exchange[];
}

/** One line of the contract's table and what the probes about it found. */
export interface CodeCoverage {
  readonly code: number;
  readonly name: string;
  readonly verdict: Verdict | 'not probed';
  readonly probes: readonly string[];
}

export interface CheckSummary {
  readonly passed: number;
  readonly failed: number;
  readonly notApplicable: number;
}

/** What `runCheck` returns; reporters format it, nothing in the core prints. */
export interface CheckResult {
  readonly url: string;
  readonly profile: Profile;
  /** Where the paths came from. */
  readonly targetSource: 'file' | 'well-known' | 'none';
  readonly target: TargetDescription;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly probes: readonly ProbeResult[];
  /** The contract's codes under the profile, each with the verdict of its probes. */
  readonly contract: readonly CodeCoverage[];
  readonly summary: CheckSummary;
}

/**
 * What `runCheck` reports while it runs, for a caller that shows progress: a
 * probe that starts sending, and the same probe once it has its verdict.
 * Probes that do not apply report nothing.
 */
export type CheckProgress =
  | {
      readonly type: 'start';
      readonly id: string;
      readonly code: ContractCode;
      readonly title: string;
      /** A `slow` probe waits up to this long for the server's own timeout, in ms. */
      readonly waitsUpToMs?: number;
    }
  | { readonly type: 'done'; readonly id: string; readonly code: ContractCode; readonly verdict: Verdict };

export interface CheckOptions {
  /** The profile the API follows. @default the target's profile, else `generic` */
  profile?: Profile;
  /** The target description; when absent it is fetched from WELL_KNOWN_TARGET. */
  target?: TargetDescription;
  /** Run only these probes: ids (`405-allow`) or id prefixes (`413` selects both 413 probes). */
  only?: readonly string[];
  /** Per-wait timeout in ms (connect, one answer). @default 2000 */
  timeout?: number;
  /** Run the 408 probes, which wait for the server's own request timeout. @default false */
  slow?: boolean;
  /** How long the 408 probes wait for the server to give up on a slow request, in ms. @default 70000 */
  slowWait?: number;
  /** Run the 429 probe with at most this many requests. @default 0 (no load) */
  load?: number;
  /** Probes running at the same time, each on its own connections. @default 16 */
  concurrency?: number;
  /** Bytes read from one connection at most. @default 2097152 */
  maxBytes?: number;
  /** Called as probes start and finish (see CheckProgress); the check never prints. */
  onProgress?: (event: CheckProgress) => void;
  /** Send the probes as HTTP/2 streams (./wire/h2.ts); HTTP/1-only probes are not applicable. @default false */
  http2?: boolean;
  /** https: PEM CA certificates to trust instead of the system's. */
  ca?: Buffer;
  /** https: do not verify the server's certificate. @default false */
  insecure?: boolean;
}
