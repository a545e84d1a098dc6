import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONTRACT_CODES, getCode, type Profile, parseProfile } from '../../src/catalog/index.ts';
import { type RawResponse, raw, wire } from './support/http.ts';
import { testLab } from './support/lab.ts';

const DOC = readFileSync(new URL('../../docs/lab.md', import.meta.url), 'utf8');
const BASE = 'http://127.0.0.1:8080';
/** Blocks a socket test cannot replay as written; each is covered by its own test (websocket, front-codes). */
const NOT_REPLAYED = new Map([
  [101, 'keeps the connection open as a WebSocket'],
  [408, 'waits out the 30 s body timeout'],
  [414, 'builds its URI with a shell substitution'],
]);

/** The shell blocks under each `### NNN` heading of docs/lab.md. */
function sections(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const part of DOC.split(/^### /m).slice(1)) {
    const code = Number(part.slice(0, 3));
    const blocks = [...part.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    out.set(code, blocks);
  }
  return out;
}

/** Splits a shell line into words, honouring single and double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

/** The request a `curl` command line sends, in wire form. */
function curlRequest(args: string[]): string {
  let method: string | undefined;
  let body = '';
  let url: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-X') method = args[++i];
    else if (a === '-H') {
      const h = args[++i] as string;
      headers[h.slice(0, h.indexOf(':'))] = h.slice(h.indexOf(':') + 1).trim();
    } else if (a === '--data' || a === '-d') body = args[++i] as string;
    else if (a === '-o') i++;
    else if (a.startsWith('-')) assert.ok(['-i', '-s', '-N'].includes(a), `curl option ${a} is replayed`);
    else url = a;
  }
  if (!url?.startsWith(BASE)) assert.fail(`curl targets ${BASE}: ${url}`);
  // curl's defaults: POST with --data, a form content type unless given, Accept: */*.
  method ??= body ? 'POST' : 'GET';
  headers.Accept ??= '*/*';
  if (body && !headers['Content-Type']) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  if (headers['Transfer-Encoding'] === 'chunked')
    body = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  return wire(method, url.slice(BASE.length) || '/', headers, body);
}

const printfEscapes = (s: string) => s.replace(/\\r/g, '\r').replace(/\\n/g, '\n');

/** Replays one block against a fresh lab; returns the last answer. */
async function replay(block: string): Promise<RawResponse> {
  const marker = /^# statuskit lab --profile (\w+)$/m.exec(block);
  const profile: Profile = marker ? parseProfile(marker[1] as string) : 'generic';
  const lab = await testLab({ profile });
  try {
    let last: RawResponse | undefined;
    for (const line of block.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
      const loop = /^for i in ([\d ]+); do (.*); done$/.exec(line);
      const printf = /^printf '(.*)' \| nc 127\.0\.0\.1 8080$/.exec(line);
      const sleep = /^sleep (\d+)$/.exec(line);
      if (loop) {
        for (const _ of (loop[1] as string).trim().split(/ +/)) {
          last = await raw(lab.port, curlRequest(words(loop[2] as string).slice(1)));
        }
      } else if (printf) last = await raw(lab.port, printfEscapes(printf[1] as string));
      else if (sleep) lab.clock.advance(Number(sleep[1]) * 1000);
      else if (line.startsWith('curl ')) last = await raw(lab.port, curlRequest(words(line).slice(1)));
      else assert.fail(`a line the docs test cannot replay: ${line}`);
    }
    assert.ok(last, 'the block sends a request');
    return last;
  } finally {
    await lab.close();
  }
}

describe('docs/lab.md: a request for every contract code', () => {
  const docs = sections();

  it('has a section with a shell block for every code of the contract', () => {
    for (const code of CONTRACT_CODES) {
      assert.ok((docs.get(code) ?? []).length > 0, `docs/lab.md shows a request for ${code}`);
    }
  });

  for (const code of CONTRACT_CODES) {
    if (NOT_REPLAYED.has(code)) continue;
    it(`${code}: the documented request gets it`, async () => {
      const entry = getCode(code);
      for (const block of docs.get(code) ?? []) {
        const r = await replay(block);
        if (code === 100)
          assert.ok(
            r.interim.some((i) => i.status === 100),
            'an interim 100',
          );
        else if (entry?.guidance === 'never-issued') {
          assert.equal(r.status, 404);
          assert.match(r.body.toString(), /never issued/);
        } else assert.equal(r.status, code, `${block}\n→ ${r.status} ${r.body.toString().slice(0, 200)}`);
      }
    });
  }
});
