import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfigFile, parseConfigText } from '../../src/gateway/config/file.ts';
import { checkGatewayConfig } from '../../src/gateway/config/index.ts';
import { ConfigError } from '../../src/gateway/config/reader.ts';
import { parseDuration, parseSize } from '../../src/gateway/config/units.ts';

function issuesOf(text: string): { line?: number; col?: number; field: string; message: string }[] {
  try {
    parseConfigText(text, 'gateway.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.issues];
  }
  assert.fail('expected a ConfigError');
}

describe('gateway configuration: validated at start-up, every error names the file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-gw-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a complete file with units and applies the defaults', () => {
    const config = parseConfigText(
      [
        'profile: dis',
        'listen: { host: 0.0.0.0, port: 8081 }',
        'admin: false',
        'drain: { grace: 2s, retryAfter: 3s }',
        'routes:',
        '  - path: /api/',
        '    targets: [http://10.0.0.1:3000, http://10.0.0.2:3000/v1]',
        '    timeout: 1.5s',
        '    bodyLimit: 512kb',
        '    breaker: { failures: 3, cooldown: 30s }',
        '  - path: /',
        '    targets: http://127.0.0.1:4000',
        '    breaker: false',
      ].join('\n'),
      'gateway.yaml',
    );
    assert.equal(config.profile, 'dis');
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: 8081 });
    assert.equal(config.admin, false);
    assert.deepEqual(config.drain, { grace: 2000, retryAfter: 3 });
    const [api, root] = config.routes;
    assert.equal(api?.path, '/api', 'trailing slash dropped');
    assert.equal(api?.timeout, 1500);
    assert.equal(api?.bodyLimit, 512 * 1024);
    assert.deepEqual(api?.breaker, { failures: 3, cooldown: 30_000, failOn: [] });
    assert.equal(api?.targets[1]?.href, 'http://10.0.0.2:3000/v1');
    assert.equal(root?.timeout, 30_000, 'default 30 s');
    assert.equal(root?.breaker, false);
    assert.deepEqual(root?.methods, ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('names the line, column and field of each problem, with a hint for a misspelt field', () => {
    const issues = issuesOf(
      [
        'routes:',
        '  - path: /api',
        '    targets: [http://a:1, "ftp://b"]',
        '    timout: 5s',
        '    timeout: soon',
        '  - path: api',
        '    targets: http://c:1',
      ].join('\n'),
    );
    const by = (field: string) => issues.find((i) => i.field === field);
    assert.deepEqual(
      { line: by('routes[0].targets[1]')?.line, col: by('routes[0].targets[1]')?.col },
      { line: 3, col: 27 },
    );
    assert.match(by('routes[0].targets[1]')?.message ?? '', /http: or https:/);
    assert.equal(by('routes[0].timout')?.line, 4);
    assert.match(by('routes[0].timout')?.message ?? '', /Did you mean "timeout"\?/);
    assert.equal(by('routes[0].timeout')?.line, 5);
    assert.match(by('routes[0].timeout')?.message ?? '', /duration such as "500ms", "30s"/);
    assert.equal(by('routes[1].path')?.line, 6);
    assert.equal(issues.length, 4);
  });

  it('reports missing required fields at the entry that lacks them', () => {
    const issues = issuesOf('routes:\n  - path: /x\n  - targets: [http://a:1]\n');
    assert.deepEqual(
      issues.map((i) => [i.field, i.line]),
      [
        ['routes[0].targets', 2],
        ['routes[1].path', 3],
      ],
    );
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const syntax = issuesOf('routes:\n  - path: /x\n    targets: [http://a:1\n');
    assert.equal(syntax[0]?.field, '(syntax)');
    assert.ok((syntax[0]?.line ?? 0) >= 3);
    const dup = issuesOf('profile: dis\nprofile: dcs\n');
    assert.equal(dup[0]?.line, 2);
  });

  it('the message of the error lists every problem as file:line:col: field: message', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'listen: { port: 70000 }\nlog: { level: loud }\n');
    assert.throws(
      () => loadConfigFile(file),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(`${file}:1:17: listen.port: must be a whole number from 0 to 65535, got 70000.`) &&
        e.message.includes(`${file}:2:15: log.level: must be one of trace, debug, info, warn, error, fatal, silent`),
    );
    assert.throws(
      () => loadConfigFile(join(dir, 'nope.yaml')),
      /Cannot read the configuration .*nope\.yaml: no such file/,
    );
  });

  it('reads the front’s limits with units; a keep-alive timeout may be 0 (never), the others may not', () => {
    const config = parseConfigText(
      [
        'limits: { requestLine: 4kb, headersTimeout: 10s, keepAliveTimeout: 65s }',
        'routes: [{ path: /, targets: http://a:1 }]',
      ].join('\n'),
      'gateway.yaml',
    );
    assert.deepEqual(config.limits, { requestLine: 4096, headersTimeout: 10_000, keepAliveTimeout: 65_000 });
    const never = parseConfigText('limits: { keepAliveTimeout: 0 }\nroutes: [{ path: /, targets: http://a:1 }]\n', 'g');
    assert.equal(never.limits.keepAliveTimeout, 0);
    const issues = issuesOf(
      'limits: { headersTimeout: 0, keepAliveTimeout: -1s }\nroutes: [{ path: /, targets: http://a:1 }]\n',
    );
    assert.deepEqual(
      issues.map((i) => i.field),
      ['limits.headersTimeout', 'limits.keepAliveTimeout'],
    );
  });

  it('refuses two routes with the same prefix, and a maintenance block on a disabled route', () => {
    const twice = issuesOf(
      'routes:\n  - { path: /a, targets: [http://x:1] }\n  - { path: /a/, targets: [http://y:1] }\n',
    );
    assert.deepEqual(
      twice.map((i) => [i.field, i.line, i.message]),
      [['routes[1].path', 3, 'repeats the path "/a" of routes[0].']],
    );
    const both = issuesOf(
      'routes:\n  - { path: /a, targets: [http://y:1], disabled: true, maintenance: { retryAfter: 1m } }\n',
    );
    assert.ok(
      both.some((i) => i.field === 'routes[0].maintenance' && /either disabled or in maintenance/.test(i.message)),
    );
  });

  it('a configuration built in code gets the same checks, by field', () => {
    assert.throws(
      () => checkGatewayConfig({ routes: [{ path: '/', targets: ['not a url'] }] }),
      (e: unknown) => e instanceof ConfigError && e.issues[0]?.field === 'routes[0].targets[0]',
    );
  });

  it('the example configuration in docs/gateway.md is valid', () => {
    const doc = readFileSync(new URL('../../docs/gateway.md', import.meta.url), 'utf8');
    const example = /```yaml\n(profile: generic[\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the reference example is in the page');
    const config = parseConfigText(example, 'docs/gateway.md');
    assert.deepEqual(
      config.routes.map((r) => r.path),
      ['/reports', '/legacy', '/api', '/old'],
    );
  });

  it('durations and sizes: numbers are ms and bytes; units are explicit; sizes are binary multiples', () => {
    assert.deepEqual(parseDuration('250ms'), { ok: true, value: 250 });
    assert.deepEqual(parseDuration('2m'), { ok: true, value: 120_000 });
    assert.deepEqual(parseDuration(42), { ok: true, value: 42 });
    assert.equal(parseDuration('5 parsecs').ok, false);
    assert.deepEqual(parseSize('1mb'), { ok: true, value: 1_048_576 });
    assert.deepEqual(parseSize('16KiB'), { ok: true, value: 16_384 });
    assert.equal(parseSize(-1).ok, false);
  });
});
