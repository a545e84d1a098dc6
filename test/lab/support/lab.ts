import assert from 'node:assert/strict';
import { errorCodeFor, getCode, type HeaderRule, type Profile } from '../../../src/catalog/index.ts';
import { type RunningLab, type StartLabOptions, startLab } from '../../../src/lab/index.ts';
import type { Sleep } from '../../../src/lab/options.ts';
import { type RawResponse, raw, wire } from './http.ts';

/** A clock tests move by hand. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A sleep that never finishes on its own: only the request's deadline (or the client leaving) ends it. */
export const sleepUntilAborted: Sleep = (_ms, signal) =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

export interface TestLab extends RunningLab {
  port: number;
  clock: ManualClock;
  /** One request in wire form (Host and Connection: close added), parsed from the bytes. */
  send(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<RawResponse>;
}

/** Starts a lab on 127.0.0.1:0 with a manual clock; the caller closes it in `after`. */
export async function testLab(options: StartLabOptions = {}): Promise<TestLab> {
  const clock = manualClock();
  const running = await startLab({ now: clock.now, sleep: sleepUntilAborted, ...options });
  const port = Number(new URL(running.url).port);
  return {
    ...running,
    port,
    clock,
    send: (method, path, headers = {}, body = '') => raw(port, wire(method, path, headers, body)),
  };
}

export function json(r: RawResponse): Record<string, unknown> {
  assert.match(r.headers['content-type'] ?? '', /^application\/(problem\+)?json/, 'a JSON body');
  return JSON.parse(r.body.toString('utf8'));
}

/**
 * Asserts what the contract says about an answer with `status`: the status,
 * every header the catalog requires always, no content where the code has
 * none, and the profile's error body (echoing X-Request-Id) for 4xx/5xx.
 * Returns the parsed JSON body, if any.
 */
export function assertContract(r: RawResponse, status: number, profile: Profile = 'generic'): Record<string, unknown> {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.body.toString().slice(0, 300)}`);
  const entry = getCode(status);
  assert.ok(entry, `${status} is a contract code`);
  for (const rule of entry.headers as readonly HeaderRule[]) {
    if (rule.required !== 'always') continue;
    const value = r.headers[rule.field.toLowerCase()];
    assert.ok(value, `${status} must carry ${rule.field}`);
    if (rule.form === 'close' || rule.form === 'Upgrade') assert.match(value, new RegExp(rule.form, 'i'));
  }
  if (!entry.body) {
    assert.equal(r.body.length, 0, `${status} carries no content`);
    return {};
  }
  if (status < 400) return r.headers['content-type']?.includes('json') ? json(r) : {};
  const body = json(r);
  assert.equal(typeof body.error_msg, 'string');
  assert.ok((body.error_msg as string).length > 0);
  assert.match(body.error_code as string, new RegExp(`^${errorCodeFor(status, profile).replace('.', '\\.')}(\\.|$)`));
  assert.equal(body.request_id, r.headers['x-request-id'], 'request_id echoes X-Request-Id');
  return body;
}
