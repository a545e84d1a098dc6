import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { errorCodeFor } from '../../src/catalog/index.ts';
import { runCheck } from '../../src/check/run.ts';
import type { CheckResult, ProbeResult } from '../../src/check/types.ts';
import { startLab } from '../../src/lab/index.ts';
import { CANONICAL_PROBES } from './support/canonical-probes.ts';
import { startConformant, TARGET } from './support/conformant.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

const ONLY = CANONICAL_PROBES;
const REFUSED = [
  '400-te-empty',
  '400-host-missing',
  '400-host-repeated',
  '400-host-http10',
  '400-host-empty',
  '400-host-userinfo',
  '400-host-syntax',
  '400-asterisk-get',
  '400-target-fragment',
  '400-target-bytes',
  '400-dot-climb',
  '400-percent-invalid',
  '400-percent-nul',
];
const PATHS = ['dot', 'dot-self', 'double-slash', 'pct-letter', 'pct-slash', 'semicolon'].map((s) => `401-path-${s}`);
const RFC = /^RFC (?:9112|9110|3986) §\d+(?:\.\d+)*: /;

const probe = (result: CheckResult, id: string): ProbeResult => {
  const p = result.probes.find((x) => x.id === id);
  assert.ok(p, `probe ${id} ran`);
  return p;
};
const failures = (result: CheckResult) =>
  result.probes.filter((p) => p.verdict !== 'pass').map((p) => `${p.id} ${p.verdict}: ${p.reason}`);

describe('request-target and Host probes against a bare node:http server answering 200 to everything', () => {
  let server: Server;
  let result: CheckResult;
  before(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    result = await runCheck(url, { only: ONLY, target: { getOnly: '/ping', protected: '/admin/secret' } });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('fails every 400 probe, each verdict led by its RFC section', () => {
    for (const id of REFUSED) {
      const p = probe(result, id);
      assert.equal(p.verdict, 'fail', `${id}: ${p.reason}`);
      assert.match(p.reason, RFC, id);
      assert.ok(p.rfc && p.reason.startsWith(`${p.rfc}: `), id);
    }
    assert.match(
      probe(result, '400-host-repeated').reason,
      /^RFC 9112 §3\.2: Host twice, same value: expected 400 BadRequest, got 200 OK/,
    );
    assert.match(probe(result, '400-asterisk-get').reason, /^RFC 9112 §3\.2\.4: expected 400 BadRequest, got 200 OK$/);
    assert.match(
      probe(result, '400-dot-climb').reason,
      /^RFC 3986 §5\.2\.4: \/\.\.\/ping: expected 400 BadRequest, got 200 OK/,
    );
    // Node 20 and 22 answer an empty Transfer-Encoding 200; Node 24's parser refuses it itself, with an empty 400.
    assert.match(
      probe(result, '400-te-empty').reason,
      /^RFC 9112 §6\.3: (expected 400 BadRequest, got 200 OK$|Content-Type is missing, expected application\/json)/,
    );
  });

  it('fails where node answers 400 itself too: its 400 has no error body', () => {
    // Node refuses HTTP/1.1 without Host and non-ASCII target bytes, with an empty 400.
    assert.match(probe(result, '400-host-missing').reason, /Content-Type is missing, expected application\/json/);
    assert.match(
      probe(result, '400-target-bytes').reason,
      /^RFC 9112 §3\.2: raw bytes 0xC3 0xA9 \(é\): Content-Type is missing/,
    );
  });

  it('fails every spelling of the protected path: it was served without credentials', () => {
    const targets: Record<string, readonly [string, string]> = {
      '401-path-dot': ['/statuskit/../admin/secret', '400, 401 or 403'],
      '401-path-dot-self': ['/./admin/secret', '400, 401 or 403'],
      '401-path-double-slash': ['//admin/secret', '400, 401, 403 or 404'],
      '401-path-pct-letter': ['/%61dmin/secret', '400, 401 or 403'],
      '401-path-pct-slash': ['/admin%2fsecret', '400, 401, 403 or 404'],
      '401-path-semicolon': ['/admin;statuskit/secret', '400, 401, 403 or 404'],
    };
    for (const [id, [target, want]] of Object.entries(targets)) {
      const p = probe(result, id);
      assert.equal(p.verdict, 'fail', id);
      assert.match(p.reason, RFC, id);
      assert.ok(p.reason.includes(`${target}: served 200 OK without credentials, expected ${want}`), p.reason);
      assert.match(p.exchanges[0]?.request ?? '', new RegExp(`^GET ${target.replace(/[.]/g, '\\.')} HTTP/1\\.1\\r\\n`));
    }
  });

  it('passes absolute-form and resolvable dot segments, which a 200 to everything cannot get wrong', () => {
    assert.equal(probe(result, '200-absolute-form').verdict, 'pass');
    assert.match(
      probe(result, '200-absolute-form').exchanges[0]?.request ?? '',
      /^GET http:\/\/127\.0\.0\.1:\d+\/ping HTTP\/1\.1\r\n/,
    );
    assert.equal(probe(result, '200-dot-segments').verdict, 'pass');
  });

  it('records the raw bytes it sent, non-ASCII shown as \\xHH', () => {
    const requests = probe(result, '400-target-bytes').exchanges.map((e) => e.request.split('\r\n')[0]);
    assert.deepEqual(requests, [
      'GET /ping/caf\\xC3\\xA9 HTTP/1.1',
      'GET /statuskit\\xC0\\xAF../ping HTTP/1.1',
      'GET /statuskit\\../ping HTTP/1.1',
    ]);
    assert.doesNotMatch(probe(result, '400-host-missing').exchanges[0]?.request ?? '', /Host:/i);
  });
});

describe('the protected-path probes against a server that routes exact paths only', () => {
  it('pass a 404 for spellings RFC 3986 makes another path, fail it for the protected path itself', async (t) => {
    // The contract's 401 on /admin/secret, the contract's 404 on any other spelling: nothing is served.
    const server = createServer((req, res) => {
      const [status, msg, extra] =
        req.url === '/admin/secret'
          ? [401, 'Credentials required.', { 'WWW-Authenticate': 'Bearer' }]
          : [404, 'No such route.', {}];
      const body = JSON.stringify({ error_code: errorCodeFor(status), error_msg: msg, request_id: 'r1' });
      res.writeHead(status, { ...extra, 'Content-Type': 'application/json', 'X-Request-Id': 'r1' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const result = await runCheck(url, { only: ['401'], target: { protected: '/admin/secret' } });
    assert.deepEqual(
      result.probes.map((p) => [p.id, p.verdict]),
      [
        ['401-challenge', 'pass'],
        ['401-path-dot', 'fail'],
        ['401-path-dot-self', 'fail'],
        ['401-path-double-slash', 'pass'],
        ['401-path-pct-letter', 'fail'],
        ['401-path-pct-slash', 'pass'],
        ['401-path-semicolon', 'pass'],
      ],
    );
    assert.equal(
      probe(result, '401-path-pct-letter').reason,
      'RFC 3986 §6.2.2.2: /%61dmin/secret: got 404 NotFound, expected 400, 401 or 403',
    );
  });
});

describe('request-target and Host probes against a server that follows the RFCs', () => {
  let url: string;
  let server: Server;
  before(async () => ({ url, server } = await startConformant()));
  after(() => server.closeAllConnections() ?? server.close());

  it('passes every one, the RFC section leading each verdict', async () => {
    const result = await runCheck(url, { only: ONLY, target: TARGET });
    assert.deepEqual(failures(result), []);
    assert.equal(result.probes.length, REFUSED.length + PATHS.length + 2);
    for (const p of result.probes) assert.match(p.reason, RFC, p.id);
    // A one-segment protected path (/p): its encoded slash is the leading one.
    assert.match(probe(result, '401-path-pct-slash').exchanges[0]?.request ?? '', /^GET \/%2fp HTTP/);
  });

  it('leaves the protected-path probes not applicable without a protected path', async () => {
    const result = await runCheck(url, { only: ['401-path'], target: { getOnly: '/g' } });
    assert.deepEqual(
      result.probes.map((p) => [p.id, p.verdict, p.reason]),
      PATHS.map((id) => [id, 'n/a', 'the target names no "protected"']),
    );
  });
});

describe('statuskit’s lab under the request-target and Host probes', () => {
  it('answers each with 400 and the error body, serves absolute-form and dot segments, keeps /private closed', async (t) => {
    const lab = await startLab({ port: 0 });
    t.after(() => lab.close());
    const result = await runCheck(lab.url, { only: ONLY });
    assert.deepEqual(failures(result), []);
    assert.equal(result.probes.length, REFUSED.length + PATHS.length + 2);
  });
});

describe('the request-target and Host probes under a profile', () => {
  it('hold the error body to the profile: the dis lab answers DIS.0400, and a dcs reading fails it', async (t) => {
    const lab = await startLab({ port: 0, profile: 'dis' });
    t.after(() => lab.close());
    const only = ['400-host-missing', '400-dot-climb', '401-path-dot'];
    const result = await runCheck(lab.url, { only });
    assert.equal(result.profile, 'dis');
    assert.deepEqual(failures(result), []);
    assert.match(
      probe(result, '400-host-missing').exchanges[0]?.response?.bodyPreview ?? '',
      /"error_code":"DIS\.0400/,
    );
    const wrong = await runCheck(lab.url, { only, profile: 'dcs' });
    assert.match(
      probe(wrong, '400-host-missing').reason,
      /^RFC 9112 §3\.2: error_code "DIS\.0400[^"]*" is not DCS\.0400/,
    );
    assert.match(probe(wrong, '400-dot-climb').reason, /^RFC 3986 §5\.2\.4: \/\.\.\/blob: error_code "DIS\.0400/);
  });
});

describe('statuskit serve (the gateway in front of the lab) under the request-target and Host probes', () => {
  let child: ChildProcess;
  let url: string;
  before(async () => {
    const args = ['--import', 'tsx', 'src/cli/entry.ts', 'serve', '--port', '0', '--admin-port', '0'];
    child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let banner = '';
    url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        banner += d;
        const m = /statuskit gateway on (http:\/\/[\d.:]+)/.exec(banner);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`statuskit serve exited with ${code}: ${banner}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('answers each like the lab: 400 with the error body, absolute-form and dot segments served', async () => {
    const result = await runCheck(url, { only: ONLY });
    assert.equal(result.targetSource, 'well-known');
    assert.deepEqual(failures(result), []);
    assert.equal(result.probes.length, REFUSED.length + PATHS.length + 2);
  });
});
