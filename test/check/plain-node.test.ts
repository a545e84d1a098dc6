import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import type { CheckResult } from '../../src/check/types.ts';

/** A typical plain node:http app: routes by hand, plain-text errors, Node's own parser answers. */
function plainApp(): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/g' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"ok":true}');
    } else if (path === '/g') {
      res.statusCode = 405;
      res.end('Method Not Allowed');
    } else {
      res.statusCode = 404;
      res.end('Not Found');
    }
  });
}

describe('a plain node:http server', () => {
  let server: Server;
  let url: string;
  let result: CheckResult;
  before(async () => {
    server = plainApp();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    result = await runCheck(url, { target: { getOnly: '/g', resource: '/g' }, timeout: 1000 });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const reason = (id: string) => {
    const p = result.probes.find((x) => x.id === id);
    assert.ok(p, `probe ${id} ran`);
    assert.equal(p.verdict, 'fail', `${id} must fail, got ${p.verdict}: ${p.reason}`);
    return p.reason;
  };

  it('fails 505: HTTP/2.0 is answered 200 and HTTP/3.0 400', () => {
    assert.match(reason('505-http2'), /expected 505 .*, got 200 OK/);
    assert.match(reason('505-http3'), /expected 505 .*, got 400 BadRequest/);
  });

  it('fails 501: an unknown method is answered 400', () => {
    assert.match(reason('501-unknown-method'), /expected 501 .*, got 400/);
  });

  it('fails 414: a long URI is answered 431, which the contract does not have', () => {
    assert.match(reason('414-long-uri'), /got 431 \(not a code of the contract\)/);
  });

  it('fails 405: no Allow header', () => {
    assert.match(reason('405-allow'), /Allow missing/);
  });

  it('fails 204 on OPTIONS, and every error body', () => {
    assert.match(reason('204-options'), /expected 204 NoContent, got 405/);
    assert.match(reason('404-unknown-path'), /Content-Type is missing, expected application\/json/);
    assert.match(reason('400-header-syntax'), /Content-Type is missing/);
    assert.match(reason('400-cl-te'), /Content-Type is missing/);
  });

  it('passes what Node gets right, and leaves what it cannot know not applicable', () => {
    const verdict = (id: string) => result.probes.find((p) => p.id === id)?.verdict;
    assert.equal(verdict('200-head-parity'), 'pass');
    for (const id of ['201-location', '413-declared', '500-no-leak', '408-headers', '429-rate-limit']) {
      assert.equal(verdict(id), 'n/a', id);
    }
    assert.equal(result.summary.passed + result.summary.failed + result.summary.notApplicable, result.probes.length);
  });

  it('without a target, runs only path-independent probes and never passes one it could not run', async () => {
    const bare = await runCheck(url, { timeout: 1000 });
    assert.equal(bare.targetSource, 'none');
    const ran = bare.probes.filter((p) => p.verdict !== 'n/a').map((p) => p.id);
    assert.deepEqual(ran.sort(), [
      '400-asterisk-get',
      '400-cl-te',
      '400-dot-climb',
      '400-header-syntax',
      '400-host-empty',
      '400-host-http10',
      '400-host-missing',
      '400-host-repeated',
      '400-host-syntax',
      '400-host-userinfo',
      '400-percent-invalid',
      '400-percent-nul',
      '400-target-bytes',
      '400-target-fragment',
      '400-te-empty',
      '404-problem-json',
      '404-request-id',
      '404-unknown-path',
      '414-long-uri',
      '501-unknown-method',
      '505-http2',
      '505-http3',
    ]);
    for (const p of bare.probes.filter((x) => x.verdict === 'n/a')) assert.match(p.reason, /target names no|only with/);
  });
});
