/**
 * State that must be right across `statuskit serve --workers 2` (real
 * processes through the CLI): one replay cache for the cluster, and
 * counters that never go down when a worker dies.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signRequest } from '../../src/signing.ts';
import { startServe } from './process.ts';
import { startUpstream, waitFor } from './support.ts';

const AK = 'AKIDWORKERS01';
const SK = 'workers-secret-key-0001';

/** The pids of the access lines on the primary's stdout (each worker writes its own). */
function accessPids(stdout: string): number[] {
  const pids: number[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes('"msg":"request"')) continue;
    pids.push((JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

const requestsTotal = (text: string): number =>
  Number(/statuskit_gateway_requests_total\{route="\/",code="200"\} (\d+)/.exec(text)?.[1] ?? 0);

describe('--workers 2 share state', () => {
  it('exactly one of eight identical signed requests passes, whichever worker each reaches', async (t) => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const dir = mkdtempSync(join(tmpdir(), 'statuskit-workers-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'routes:',
        `  - { path: /, targets: [${upstream.url}] }`,
        'policies:',
        '  auth:',
        `    accessKeys: [{ accessKey: ${AK}, secretKey: ${SK} }]`,
        '    failureLimit: false',
        '',
      ].join('\n'),
    );
    const serve = await startServe(['--config', file, '--port', '0', '--admin-port', '0', '--workers', '2']);
    t.after(() => serve.stop());
    const url = `${serve.url}/items/1`;
    const headers = signRequest({ method: 'GET', url, accessKey: AK, secretKey: SK });
    const statuses: number[] = [];
    // A new connection each: the cluster hands connections to the workers in turn.
    for (let i = 0; i < 8; i++)
      statuses.push((await fetch(url, { headers: { ...headers, connection: 'close' } })).status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((s) => s === 401).length, 7);
    await waitFor('both workers logged', () => new Set(accessPids(serve.stdout())).size === 2);
  });

  it('statuskit_gateway_requests_total never goes down when a worker is killed', async (t) => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const serve = await startServe(['--upstream', upstream.url, '--port', '0', '--admin-port', '0', '--workers', '2']);
    t.after(() => serve.stop());
    for (let i = 0; i < 10; i++)
      assert.equal((await fetch(`${serve.url}/n${i}`, { headers: { connection: 'close' } })).status, 200);
    const before = requestsTotal(await (await fetch(`${serve.adminUrl}/metrics`)).text());
    assert.equal(before, 10);
    await waitFor('both workers logged', () => new Set(accessPids(serve.stdout())).size === 2);
    const victim = accessPids(serve.stdout())[0] as number;
    process.kill(victim, 'SIGKILL');
    await serve.waitForLog('worker died; starting another');
    // The replacement is up once the cluster again has two workers answering scrapes.
    await waitFor('the replacement answers', async () => {
      const r = await fetch(`${serve.url}/after`, { headers: { connection: 'close' } }).catch(() => undefined);
      return r?.status === 200;
    });
    const after = requestsTotal(await (await fetch(`${serve.adminUrl}/metrics`)).text());
    assert.ok(after >= before + 1, `requests_total went from ${before} to ${after}`);
  });
});
