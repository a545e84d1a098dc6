import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startConformant, TARGET } from './support/conformant.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs `statuskit check` as a separate process; asynchronous so the servers in this process can answer. */
function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return cliWith({}, ...args);
}

function cliWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'check', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('statuskit check (the command)', () => {
  let dir: string;
  let good: { url: string; server: Server };
  let plain: Server;
  let plainUrl: string;
  let targetFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'statuskit-check-'));
    good = await startConformant();
    plain = createServer((_req, res) => res.end('hello'));
    plainUrl = await listen(plain);
    targetFile = join(dir, 'target.yaml');
    const yaml = Object.entries(TARGET)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n');
    await writeFile(targetFile, `# the conformant test server\n${yaml}\n`);
  });
  after(async () => {
    for (const s of [good.server, plain]) {
      s.closeAllConnections();
      s.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with a table and the summary line when every applicable probe passes', async () => {
    const r = await cli(good.url, '--target', targetFile);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ID\s+CODE\s+VERDICT\s+REASON$/m);
    assert.match(r.out, /^405-allow\s+405\s+pass\s+/m);
    assert.match(r.out, /^408-headers\s+408\s+n\/a\s+runs only with --slow/m);
    assert.match(r.out, /^\d+ passed, 0 failed, 3 not applicable$/m);
    assert.match(r.out, /^101-websocket\s+101\s+pass\s+/m);
  });

  it('exits 1 when a probe fails, and --format json carries every exchange', async () => {
    const r = await cli(plainUrl, '--format', 'json', '--only', '505,501', '--only', '414-long-uri');
    assert.equal(r.code, 1, r.err);
    const result = JSON.parse(r.out);
    assert.deepEqual(result.summary, { passed: 0, failed: 4, notApplicable: 0 });
    const http2 = result.probes.find((p: { id: string }) => p.id === '505-http2');
    assert.match(http2.exchanges[0].request, /^GET \/ HTTP\/2\.0\r\n/);
    assert.equal(http2.exchanges[0].response.statusLine, 'HTTP/1.1 200 OK');
  });

  it('writes JUnit XML to --out and prints only the summary', async () => {
    const out = join(dir, 'check.xml');
    const r = await cli(plainUrl, '--format', 'junit', '--out', out, '--only', '505-http2,404-unknown-path');
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, '0 passed, 2 failed, 0 not applicable\n');
    const xml = await readFile(out, 'utf8');
    assert.match(
      xml,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="statuskit check" tests="2" failures="2"/,
    );
    assert.match(
      xml,
      /<testcase classname="contract\.505" name="505-http2: [^"]+">\n\s+<failure message="expected 505/,
    );
  });

  it('writes a self-contained HTML report', async () => {
    const r = await cli(good.url, '--target', targetFile, '--format', 'html', '--only', '405');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^<!doctype html>/);
    assert.match(r.out, /1 passed, 0 failed, 0 not applicable/);
    assert.doesNotMatch(r.out, /<script|<link|src="http/);
  });

  it('speaks TLS to an https origin, verifying its certificate', async (t) => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.end('hi'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      tls.closeAllConnections();
      tls.close();
    });
    const url = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
    const untrusted = await cli(url, '--only', '505-http2');
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.err, /is unreachable: cannot connect to .*(SELF_SIGNED|self.signed)/i);
    const trusted = await cliWith({ NODE_EXTRA_CA_CERTS: cert }, url, '--only', '505-http2', '--format', 'json');
    assert.equal(trusted.code, 1, trusted.err);
    assert.equal(JSON.parse(trusted.out).probes[0].exchanges[0].response.statusLine, 'HTTP/1.1 200 OK');
  });

  it('exits 2 with a clear message on an unreachable URL', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const r = await cli(url);
    assert.equal(r.code, 2);
    assert.match(r.err, /^statuskit: http:\/\/127\.0\.0\.1:\d+ is unreachable: cannot connect to .*ECONNREFUSED/);
  });

  it('exits 2 on usage errors: no URL, a path in the URL, an unknown probe, a bad target file', async () => {
    assert.match((await cli()).err, /check needs the URL of a running API/);
    const path = await cli(`${plainUrl}/api`);
    assert.equal(path.code, 2);
    assert.match(path.err, /Give the origin only/);
    const unknown = await cli(plainUrl, '--only', '999-nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /No probe matches "999-nope"/);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'resource: http://elsewhere.example/x\nbodyLimit: -1\nlimt: /l\n');
    const r = await cli(plainUrl, '--target', bad);
    assert.equal(r.code, 2);
    assert.match(r.err, /invalid target description/);
    assert.match(r.err, /unknown field "limt"/);
    assert.match(r.err, /"resource" must be a path on the API starting with "\/"/);
    assert.match(r.err, /"bodyLimit" must be a positive whole number/);
    const missing = await cli(plainUrl, '--target', join(dir, 'none.yaml'));
    assert.match(missing.err, /cannot read target file .*none\.yaml: no such file/);
    const format = await cli(plainUrl, '--format', 'xml');
    assert.equal(format.code, 2);
  });
});
