import type { Exchange, ObservedResponse } from './types.ts';
import { Connection, WireError, WireTimeout } from './wire/connection.ts';
import type { WireResponse } from './wire/reader.ts';

/** How the body of a request is sent. */
export type BodyMode =
  /** With the header section, at once. */
  | 'send'
  /** Never: the server must answer on the header section alone (413 on the declared length). */
  | 'withhold'
  /** Only after a 100 Continue (Expect: 100-continue); withheld if a final answer comes first. */
  | 'after-continue'
  /** Only the first half, then silence (408 on a stalled body). */
  | 'partial';

export interface RequestSpec {
  method: string;
  target: string;
  /** @default 'HTTP/1.1' */
  version?: string;
  /**
   * The Host field lines, each value exactly as written after `Host:`: `[]`
   * sends none, two values send the field twice (RFC 9112 §3.2 probes).
   * @default [the origin's host and port]
   */
  hosts?: readonly string[];
  /** Header fields after Host, in order, exactly as written. */
  headers?: readonly (readonly [string, string])[];
  body?: string | Buffer;
  /** @default 'send' */
  bodyMode?: BodyMode;
  /** Ask the server to close after answering (`Connection: close`). @default true */
  close?: boolean;
  /** Send the header section without its final empty line (408 on stalled headers). @default false */
  stallHeaders?: boolean;
  /** Wait this long for the answer, in ms. @default the connection's timeout */
  timeout?: number;
}

export interface Sent {
  readonly exchange: Exchange;
  /** The final response, or undefined when none came (see exchange.error). */
  readonly res: WireResponse | undefined;
  readonly interim: readonly WireResponse[];
}

const PREVIEW = 2048; // bytes of body kept for the report

export function observe(res: WireResponse): ObservedResponse {
  return {
    statusLine: res.statusLine,
    status: res.status,
    headers: res.headers,
    bodyBytes: res.body.length,
    bodyPreview: res.body.subarray(0, PREVIEW).toString('utf8'),
  };
}

/**
 * The request text for the report: runs of 32+ equal characters shortened, so
 * a 20 kB URI stays readable, and bytes outside ASCII shown as `\xHH` (the
 * head is written byte for byte as latin1, so 0xC3 0xA9 stays two bytes).
 */
export function describeRequest(head: string, body: Buffer | undefined, mode: BodyMode): string {
  const shown = head
    .replace(/(.)\1{31,}/g, (run, ch: string) => `${ch.repeat(8)}…(${run.length} × "${ch}")`)
    .replace(/[\x80-\xff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  if (!body || body.length === 0) return shown;
  const note = {
    send: '',
    withhold: ' (withheld)',
    'after-continue': ' (withheld: no 100 came)',
    partial: ' (then nothing more)',
  }[mode];
  const text = body.length <= 512 ? body.toString('utf8') : `<${body.length} bytes>`;
  return `${shown}${text.replace(/(.)\1{31,}/g, (run, ch: string) => `${ch.repeat(8)}…(${run.length} × "${ch}")`)}${note}`;
}

/** The exact bytes of a request's header section. */
export function requestHead(spec: RequestSpec, host: string): string {
  const lines = [`${spec.method} ${spec.target} ${spec.version ?? 'HTTP/1.1'}`];
  for (const value of spec.hosts ?? [host]) lines.push(value === '' ? 'Host:' : `Host: ${value}`);
  for (const [name, value] of spec.headers ?? []) lines.push(`${name}: ${value}`);
  if (spec.close ?? true) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n${spec.stallHeaders ? '' : '\r\n'}`;
}

/**
 * Sends one request on a fresh connection and reads the answer, recording
 * the bytes sent and the status line and headers observed. Never throws for
 * what the server does (timeouts, resets, garbage become `exchange.error`);
 * it throws WireError only when the origin cannot be reached at all.
 */
export async function send(
  url: URL,
  spec: RequestSpec,
  conn: { timeout: number; maxBytes: number; tls?: { ca?: Buffer; rejectUnauthorized?: boolean } },
): Promise<Sent> {
  const head = requestHead(spec, url.host);
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const mode = spec.bodyMode ?? 'send';
  const c = await Connection.open(url, conn);
  const isHead = spec.method === 'HEAD';
  const wait = { head: isHead, timeout: spec.timeout ?? conn.timeout };
  const interim: WireResponse[] = [];
  let res: WireResponse | undefined;
  let error: string | undefined;
  let bodySent = mode === 'send';
  const half = mode === 'partial' && body ? body.subarray(0, Math.floor(body.length / 2)) : undefined;
  try {
    await c.write(mode === 'send' && body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
    if (half) await c.write(half);
    if (mode === 'after-continue') {
      const first = await c.read(wait);
      if (first.status === 100 && body) {
        interim.push(first);
        await c.write(body);
        bodySent = true;
      } else if (first.status < 200) interim.push(first);
      else res = first;
    }
    if (!res) {
      const got = await c.readFinal(wait);
      interim.push(...got.interim);
      res = got.final;
    }
  } catch (err) {
    if (!(err instanceof WireTimeout || err instanceof WireError)) throw err;
    error = err.message;
  }
  // With Connection: close the server ends the connection after its answer; whatever follows
  // the response then is content the status (or HEAD) forbids (RFC 9110 §6.4.1).
  let closed = c.closed;
  if (res && !closed && ((spec.close ?? true) || res.status === 408 || mode === 'withhold')) {
    closed = await c.waitClose(Math.min(wait.timeout, 1000)); // ≤ 1 s
  }
  const extraBytes = res ? c.unread : 0;
  c.destroy();
  return {
    res,
    interim,
    exchange: {
      request: describeRequest(head, half ?? body, bodySent ? 'send' : mode),
      interim: interim.map(observe),
      ...(res ? { response: observe(res) } : {}),
      extraBytes,
      closed,
      ...(error ? { error } : {}),
    },
  };
}
