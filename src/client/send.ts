import { randomUUID } from 'node:crypto';
import { type Guidance, guidanceFor } from '../catalog/index.ts';
import { signRequest } from '../signing.ts';
import { signableBody } from './body.ts';
import { HttpError, NetworkError, type RequestInfo, readErrorBody, TimeoutError } from './errors.ts';
import type { AttemptEvent, ResolvedOptions } from './options.ts';
import type { PacedEvent, Ticket } from './pacer.ts';
import { type Decision, decide, whyNotRepeatable } from './policy.ts';
import { parseRateLimit } from './rate-limit.ts';
import { type Hop, nextHop } from './redirect.ts';
import { retryAfterMs } from './retry-after.ts';
import { AttemptTimeout, type RequestRedirect } from './transport/types.ts';

export interface Call {
  readonly hop: Hop;
  readonly signal: AbortSignal | undefined;
  readonly redirect: RequestRedirect;
  /** Epoch ms when the whole call must be over (Infinity: no deadline). */
  readonly deadline: number;
}

const NONCE_HEADER = 'x-sdk-nonce';
const SIGNED_EXTRA = [NONCE_HEADER];

/** The method each returned answer was requested with, so later messages (waitFor) name it right. */
export const requestMethod = new WeakMap<Response, string>();

/** The headers one attempt sends: the hop's, the time left, hooks' changes, then the signature. */
function attemptHeaders(o: ResolvedOptions, hop: Hop, attempt: number, timeLeft: number): Record<string, string> {
  const headers = { ...hop.headers };
  if (hop.body.contentType !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = hop.body.contentType;
  }
  // CONTRACT.md §4: the server may answer 504 once this passes instead of working for nobody.
  // A tenth of the time (at most 1 s) is kept back so that its 504 arrives before the client gives up.
  if (o.timeout.header && timeLeft !== Number.POSITIVE_INFINITY) {
    headers['x-request-timeout'] = String(Math.max(1, Math.floor(timeLeft - Math.min(timeLeft / 10, 1_000))));
  }
  for (const hook of o.beforeAttempt) hook({ attempt, method: hop.method, url: hop.url, headers });
  if (o.credentials && hop.home) {
    // A fresh X-Sdk-Date and a signed nonce per attempt: a retry in the same second as the
    // first attempt would otherwise carry the same signature, which a verifier refuses as a replay.
    headers[NONCE_HEADER] = randomUUID();
    const signed = signRequest({
      method: hop.method,
      url: hop.url,
      headers,
      body: signableBody(hop.body),
      unsignedPayload: !hop.body.replayable,
      accessKey: o.credentials.accessKey,
      secretKey: o.credentials.secretKey,
      date: new Date(o.clock.now()),
      signHeaders: SIGNED_EXTRA,
    });
    for (const name in signed) headers[name.toLowerCase()] = signed[name] as string;
  }
  return headers;
}

function report(o: ResolvedOptions, e: AttemptEvent): void {
  for (const hook of o.afterAttempt) hook(e);
}

function event(
  hop: Hop,
  attempt: number,
  status: number | undefined,
  error: Error | undefined,
  guidance: Guidance,
  decision: AttemptEvent['decision'],
  delay: number,
  reason: string,
): AttemptEvent {
  return { attempt, method: hop.method, url: hop.url.href, status, error, guidance, decision, delay, reason };
}

function infoOf(hop: Hop, attempts: number): RequestInfo {
  return { method: hop.method, url: hop.url.href, attempts };
}

function returned(response: Response, hop: Hop, redirected: boolean): Response {
  if (redirected) Object.defineProperty(response, 'redirected', { value: true });
  if (response.status === 202) requestMethod.set(response, hop.method);
  return response;
}

/**
 * Runs one call: attempts, waits and redirects, each decided by the catalog's
 * guidance for the answer (CONTRACT.md §5). Resolves with the answer to
 * return; throws HttpError, NetworkError, TimeoutError or the caller's abort reason.
 */
/**
 * The TimeoutError of an attempt that got no answer in time within `timeLeft` ms: the call's
 * deadline when that is what ran out (reported as its whole `timeout.total`, not as what was
 * left of it when the attempt began), else the attempt's own.
 */
function timeoutError(info: RequestInfo, o: ResolvedOptions, timeLeft: number, remaining: number, reason: string) {
  return timeLeft === remaining
    ? new TimeoutError(info, o.timeout.total, 'total', reason)
    : new TimeoutError(info, timeLeft, 'attempt', reason);
}

/** Reports a wait before sending to `hooks.paced`. */
function pacedHook(o: ResolvedOptions): ((e: PacedEvent) => void) | undefined {
  if (o.paced.length === 0) return undefined;
  return (e) => {
    for (const hook of o.paced) hook(e);
  };
}

/**
 * Waits until the attempt may go: the adaptive limiter's token (retry mode
 * `adaptive`), then the pacer (RateLimit fields, Retry-After of earlier answers).
 */
async function paceAttempt(o: ResolvedOptions, hop: Hop, call: Call): Promise<Ticket | undefined> {
  const onWait = pacedHook(o);
  if (o.adaptive) {
    await o.adaptive.acquire(o.clock, call.signal, (wait) =>
      onWait?.({ method: hop.method, url: hop.url.href, wait, reason: 'adaptive' }),
    );
  }
  if (!o.pacing) return undefined;
  return o.pacing.pacer.acquire({
    url: hop.url,
    method: hop.method,
    clock: o.clock,
    // A wait past the call's deadline is not made: the attempt goes, and its answer decides.
    maxWait: Math.min(o.pacing.maxWait, call.deadline - o.clock.now()),
    probeWait: o.pacing.probeWait,
    signal: call.signal,
    onWait,
  });
}

/** Tells the pacer and the adaptive limiter what the attempt got. */
function settleAttempt(
  o: ResolvedOptions,
  ticket: Ticket | undefined,
  response: Response | undefined,
  retryAfter: number | undefined,
): void {
  const now = o.clock.now();
  const status = response?.status;
  // A 429's Retry-After holds back every request to the origin (RFC 6585 §4: the client sent too many);
  // a 503's may be one resource's (a route in maintenance), so it holds back only its own retries.
  const holdBack = status === 429 ? retryAfter : undefined;
  if (ticket && o.pacing) {
    o.pacing.pacer.settle(
      ticket,
      now,
      response !== undefined,
      response && parseRateLimit(response.headers, now),
      holdBack,
    );
  }
  // Throttling answers, as the AWS SDKs' adaptive mode counts them: 429, or 503 with Retry-After.
  if (o.adaptive && response) o.adaptive.update(status === 429 || (status === 503 && retryAfter !== undefined), now);
}

export async function send(o: ResolvedOptions, call: Call): Promise<Response> {
  let hop = call.hop;
  // Made on the first redirect: most calls never need it.
  let visited: Set<string> | undefined;
  let attempt = 0;
  let attemptLimit = o.timeout.attempt;
  // What this call's last retry cost the retry tokens; a success gives it back (RetryQuota).
  let spent = 0;
  for (;;) {
    attempt++;
    const ticket = o.pacing || o.adaptive ? await paceAttempt(o, hop, call) : undefined;
    const remaining = call.deadline - o.clock.now();
    if (remaining <= 0) {
      throw new TimeoutError(infoOf(hop, attempt), o.timeout.total, 'total', 'No attempt was left to make.');
    }
    const timeLeft = Math.min(attemptLimit, remaining);
    const headers = attemptHeaders(o, hop, attempt, timeLeft);
    let response: Response | undefined;
    let failure: Error | undefined;
    let timedOut = false;
    try {
      response = await o.transport({
        url: hop.url,
        method: hop.method,
        headers,
        body: hop.body.data,
        signal: call.signal,
        timeout: timeLeft,
      });
    } catch (error) {
      if (call.signal?.aborted) {
        settleAttempt(o, ticket, undefined, undefined);
        throw call.signal.reason;
      }
      timedOut = error instanceof AttemptTimeout;
      failure = timedOut
        ? timeoutError(infoOf(hop, attempt), o, timeLeft, remaining, 'No answer in time.')
        : (error as Error);
    }
    const status = response?.status;
    const retryAfterField = response ? response.headers.get('retry-after') : null;
    const retryAfter = retryAfterField === null ? undefined : retryAfterMs(retryAfterField, o.clock.now());
    if (ticket || o.adaptive) settleAttempt(o, ticket, response, retryAfter);
    // No answer is treated as the gateway would answer it: 504 for a deadline, 502 for a broken connection.
    const guidance = guidanceFor(status ?? (timedOut ? 504 : 502), retryAfter !== undefined);
    // A success refills the retry tokens (a 3xx counts: the service answered).
    if (status !== undefined && status < 400) {
      o.budget?.settle(spent);
      spent = 0;
    }
    if (guidance === 'done' && response) {
      if (o.afterAttempt.length) report(o, event(hop, attempt, status, failure, guidance, 'return', 0, 'Done.'));
      return returned(response, hop, visited !== undefined);
    }
    const retryable = guidance === 'retry-later' || guidance === 'retry-after' || guidance === 'retry-idempotent';
    const notRepeatable = retryable
      ? whyNotRepeatable(hop.method, headers, hop.body.replayable, o.retry.idempotencyKey)
      : undefined;
    let decision: Decision = decide(
      { guidance, retryAfter, attempt, notRepeatable, remaining: call.deadline - o.clock.now(), timedOut },
      o,
      o.budget,
    );
    let next: Hop | undefined;
    if (decision.action === 'follow' && response) {
      const location = response.headers.get('location');
      if (call.redirect === 'manual' || (status === 300 && location === null)) {
        // RFC 9110 §15.4.1: a 300 without a preferred choice is the caller's to pick.
        decision = { action: 'return', reason: 'Redirect returned to the caller.' };
      } else if (call.redirect === 'error') {
        decision = { action: 'throw', reason: 'Redirects were refused (redirect: "error").' };
      } else if (location === null) {
        decision = {
          action: 'throw',
          reason: `A ${status} must carry Location (RFC 9110 §10.2.2); nothing to follow.`,
        };
      } else {
        visited ??= new Set([`${call.hop.method} ${call.hop.url.href}`]);
        const result = nextHop(status as number, location, hop, visited, o.maxRedirects);
        if ('hop' in result) next = result.hop;
        else decision = { action: 'throw', reason: result.refused };
      }
    }
    const delay = decision.action === 'retry' ? decision.delay : 0;
    if (decision.action === 'retry') spent = decision.cost;
    if (o.afterAttempt.length) {
      report(o, event(hop, attempt, status, failure, guidance, decision.action, delay, decision.reason));
    }
    if (decision.action === 'return' && response) return returned(response, hop, visited !== undefined);
    if (decision.action === 'throw') {
      const info = infoOf(hop, attempt);
      if (!response) {
        if (timedOut) throw timeoutError(info, o, timeLeft, remaining, decision.reason);
        throw new NetworkError(info, failure, decision.reason);
      }
      if (!o.throwHttpErrors) return response;
      const body = await readErrorBody(response);
      throw new HttpError({ ...info, response, body, profile: o.profile, reason: decision.reason, retryAfter });
    }
    // Free the connection before waiting: read what is left of the answer.
    if (response) await readErrorBody(response);
    if (next) {
      hop = next;
      attempt = 0;
      continue;
    }
    // Contract table, 504: retried "with a longer timeout".
    if (timedOut || status === 504) attemptLimit *= 2;
    await o.clock.sleep(delay, call.signal);
  }
}
