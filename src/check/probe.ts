import type { ContractCode, Profile } from '../catalog/index.ts';
import type { RequestSpec, Sent } from './exchange.ts';
import type { TargetDescription } from './target.ts';
import type { PathField } from './target-file.ts';
import type { Check, Exchange } from './types.ts';
import { describeStatus, type ExpectOptions, expectCode, fail, ok } from './verdict.ts';

/** What a probe can use: the origin, the target, and a way to send requests that records them. */
export interface ProbeContext {
  readonly url: URL;
  readonly target: TargetDescription;
  readonly profile: Profile;
  /** --load N: the most requests the 429 probe may send. */
  readonly load: number;
  /** How long a 408 probe waits for the server's own timeout, in ms. */
  readonly slowWait: number;
  /** --http2: requests go as HTTP/2 streams, where Connection: close is a stream reset. */
  readonly http2?: boolean;
  /** Sends one request on its own connection; the exchange lands in the probe's report unless `record` is false. */
  send(spec: RequestSpec, record?: boolean): Promise<Sent>;
  /** Adds an exchange sent with `record` false to the probe's report. */
  record(exchange: Exchange): void;
}

export interface Probe {
  /** Stable id, `<code>-<what>`, used by --only. */
  readonly id: string;
  readonly code: ContractCode;
  /** What is verified, in one line. */
  readonly title: string;
  /** The RFC section that decides the verdict (`RFC 9112 §3.2`); it heads the probe's reason line. */
  readonly rfc?: string;
  /** Target fields the probe needs; without them it is not applicable. */
  readonly needs?: readonly (PathField | 'validBody' | 'invalidBody' | 'bodyLimit')[];
  /** Only when the target says so (e.g. 411 only where the collection requires a length). */
  readonly applies?: (target: TargetDescription) => string | undefined;
  /** `slow` probes run only with --slow, `load` probes only with --load N. */
  readonly mode?: 'slow' | 'load';
  run(ctx: ProbeContext): Promise<Check[] | ProbeOutcome>;
}

/** What a probe found, when the code it verified is only known from the answer (a 3xx). */
export interface ProbeOutcome {
  readonly checks: Check[];
  readonly code: ContractCode;
}

/** The path of a target field; probes only run when `needs` listed it, so it is present. */
export function pathOf(ctx: ProbeContext, field: PathField): string {
  const path = ctx.target[field];
  if (path === undefined) throw new TypeError(`probe ran without target field "${field}"`);
  return path;
}

/** What the verdict needs to know about the request that was sent. */
function optionsFor(ctx: ProbeContext, spec: RequestSpec, sent: Sent, extra: Partial<ExpectOptions>): ExpectOptions {
  const accept = spec.headers?.find(([n]) => n.toLowerCase() === 'accept')?.[1];
  const requestId = spec.headers?.find(([n]) => n.toLowerCase() === 'x-request-id')?.[1];
  return {
    method: spec.method,
    profile: ctx.profile,
    problem: accept?.includes('application/problem+json') === true,
    extraBytes: sent.exchange.extraBytes,
    ...(sent.exchange.error === undefined ? {} : { error: sent.exchange.error }),
    ...(requestId === undefined ? {} : { requestId }),
    ...extra,
  };
}

/** Sends a request and checks the answer against the catalog entry of `code`. */
export async function expectAnswer(
  ctx: ProbeContext,
  spec: RequestSpec,
  code: ContractCode,
  extra: Partial<ExpectOptions> = {},
): Promise<{ checks: Check[]; sent: Sent }> {
  const sent = await ctx.send(spec);
  return { checks: expectCode(sent.res, code, optionsFor(ctx, spec, sent, extra)), sent };
}

/**
 * Sends a request that must be refused with one of `codes` (a protected
 * route reached by another spelling of its path): any of them passes, with
 * the catalog's checks for the one answered; a 2xx is named as served.
 */
export async function expectRefusal(
  ctx: ProbeContext,
  spec: RequestSpec,
  codes: readonly ContractCode[],
): Promise<Check[]> {
  const sent = await ctx.send(spec);
  const o = optionsFor(ctx, spec, sent, {});
  const status = sent.res?.status;
  const allowed = codes.find((c) => c === status);
  if (allowed !== undefined) return expectCode(sent.res, allowed, o);
  const want = `${codes.slice(0, -1).join(', ')} or ${codes.at(-1)}`;
  if (status === undefined) return [fail('status', `${spec.target}: ${o.error ?? 'no answer'} (expected ${want})`)];
  const got = describeStatus(status, ctx.profile);
  const served = status >= 200 && status < 300;
  return [
    fail('status', `${spec.target}: ${served ? `served ${got} without credentials` : `got ${got}`}, expected ${want}`),
  ];
}

/** One of several requests a probe sends about the same rule. */
export interface Variant {
  /** What this request does wrong, as the report names it (`Host: a b`). */
  readonly label: string;
  readonly spec: RequestSpec;
}

/**
 * Sends every variant in turn and checks each answer against `code`: one
 * check per variant, named by its label, failed with what was wrong with it.
 */
export async function expectVariants(
  ctx: ProbeContext,
  variants: readonly Variant[],
  code: ContractCode,
): Promise<Check[]> {
  const out: Check[] = [];
  for (const { label, spec } of variants) {
    const { checks } = await expectAnswer(ctx, spec, code);
    const bad = checks.filter((c) => !c.ok);
    out.push(
      bad.length
        ? fail(label, `${label}: ${bad.map((c) => c.detail).join('; ')}`)
        : ok(label, `${label}: ${checks.map((c) => c.detail).join('; ')}`),
    );
  }
  return out;
}

/**
 * A path that answers GET when the target names one, else `/`: probes of the
 * request line use it so a server that ignores the fault shows a 200, not a 404.
 */
export function anyPath(ctx: ProbeContext): string {
  const t = ctx.target;
  return t.getOnly ?? t.resource ?? t.jsonOnly ?? t.blob ?? '/';
}

/** A JSON body as bytes. */
export function jsonBody(value: unknown): string {
  return JSON.stringify(value);
}

/** A path that no API has: the 404 probes ask for it. */
export function unknownPath(): string {
  return `/statuskit-check-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
