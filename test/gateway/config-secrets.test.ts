// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${env:…} / ${file:…} references are the subject here, not templates.
/**
 * Secrets in the configuration (src/gateway/config/secrets.ts) and
 * `serve --check-config`: values from the environment and from files, errors
 * at the value's line, and no resolved value in any message or log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../src/gateway/config/file.ts';
import { ConfigError } from '../../src/gateway/config/reader.ts';
import { startServe } from './process.ts';
import { startUpstream } from './support.ts';

const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
const SECRET = 'Sup3r-secret-key_0123456789';

function problems(text: string, env: Record<string, string>): string {
  try {
    parseConfigText(text, 'gw.yaml', env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration secrets: ${env:NAME} and ${file:/path}', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key.txt');
  writeFileSync(keyFile, `${SECRET}-file\n`);

  it('resolves variables and files in any string value, keeps literal text and $${ escapes', () => {
    const config = parseConfigText(
      [
        'routes:',
        '  - { path: /, targets: ["http://${env:UP_HOST}:${env:UP_PORT}/v1"] }',
        'policies:',
        '  auth:',
        `    apiKeys: [{ id: from-env, key: "\${env:KEY}" }, { id: from-file, key: "\${file:${keyFile}}" }]`,
        '  proxyAuth:',
        '    realm: "costs $${5}"',
        '    users: [{ user: u, password: "${env:PW}" }]',
      ].join('\n'),
      'gw.yaml',
      { UP_HOST: '127.0.0.1', UP_PORT: '3000', KEY: SECRET, PW: 'p@ss w0rd' },
    );
    assert.equal(config.routes[0]?.targets[0]?.href, 'http://127.0.0.1:3000/v1');
    assert.deepEqual(
      config.policies.auth?.apiKeys.map((k) => k.key),
      [SECRET, `${SECRET}-file`],
    );
    assert.equal(config.policies.proxyAuth?.realm, 'costs ${5}');
    assert.equal(config.policies.proxyAuth?.users[0]?.password, 'p@ss w0rd');
  });

  it('a missing variable, an unreadable file or an unknown source is an error at its line and field', () => {
    const text = [
      'routes:',
      '  - { path: /, targets: ["${env:NOPE}"] }',
      'policies:',
      '  auth:',
      `    apiKeys: [{ id: a, key: "\${file:${join(dir, 'missing')}}" }, { id: b, key: "\${vault:x}" }, { id: c, key: "\${file:relative}" }]`,
    ].join('\n');
    const message = problems(text, {});
    assert.match(message, /gw\.yaml:2:\d+: routes\[0\]\.targets\[0\]: the environment variable NOPE is not set\./);
    assert.match(
      message,
      /gw\.yaml:5:\d+: policies\.auth\.apiKeys\[0\]\.key: cannot read .*missing \(no such file\)\./,
    );
    assert.match(message, /gw\.yaml:5:\d+: policies\.auth\.apiKeys\[1\]\.key: \$\{vault:…\} is not a source/);
    assert.match(message, /policies\.auth\.apiKeys\[2\]\.key: \$\{file:relative\} must name an absolute path\./);
  });

  it('a validation error never shows a resolved value, only its reference', () => {
    const message = problems('routes:\n  - { path: /, targets: ["${env:UP}"] }\n', { UP: SECRET });
    assert.ok(!message.includes(SECRET), message);
    assert.match(message, /\$\{env:UP\}/);
  });

  it('keys are names, never resolved', () => {
    const message = problems('routes:\n  - { path: /, targets: ["http://127.0.0.1:1"], "${env:X}": 1 }\n', {
      X: 'timeout',
    });
    assert.match(message, /\$\{env:X\}/);
  });

  it('through statuskit serve: a key from the environment authenticates, and neither log nor banner shows it', async (t) => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'routes:',
        `  - { path: /, targets: [${upstream.url}] }`,
        'policies:',
        '  auth:',
        '    apiKeys: [{ id: ops, key: "${env:OPS_KEY}" }]',
      ].join('\n'),
    );
    const serve = await startServe(['--config', file, '--port', '0', '--admin-port', '0'], { OPS_KEY: SECRET });
    t.after(() => serve.stop());
    assert.equal((await fetch(`${serve.url}/x`)).status, 401);
    assert.equal((await fetch(`${serve.url}/x`, { headers: { 'x-api-key': 'wrong-key-0123456789' } })).status, 401);
    assert.equal((await fetch(`${serve.url}/x`, { headers: { 'x-api-key': SECRET } })).status, 200);
    await serve.waitForLog('"status":200');
    assert.ok(!serve.stdout().includes(SECRET) && !serve.stderr().includes(SECRET));
  });

  it('serve --check-config: exit 0 with a summary, or 2 with every problem placed; never a secret', async () => {
    const file = join(dir, 'check.yaml');
    writeFileSync(
      file,
      ['routes:', '  - { path: /api, targets: ["${env:UP}"] }', '  - { path: /x, targets: [nope] }'].join('\n'),
    );
    const run = async (env: Record<string, string>) => {
      const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--config', file, '--check-config'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      const [code] = (await once(child, 'exit')) as [number];
      return { code, out };
    };
    const bad = await run({ UP: `http://${SECRET}.invalid:1` });
    assert.equal(bad.code, 2);
    assert.match(bad.out, /check\.yaml:3:\d+: routes\[1\]\.targets\[0\]: is not an absolute URL/);
    writeFileSync(file, ['routes:', '  - { path: /api, targets: ["${env:UP}"] }'].join('\n'));
    const good = await run({ UP: 'http://127.0.0.1:3000' });
    assert.equal(good.code, 0, good.out);
    assert.match(good.out, /the configuration is valid/);
    assert.match(good.out, /\/api → http:\/\/127\.0\.0\.1:3000\//);
    const missing = await run({});
    assert.equal(missing.code, 2);
    assert.match(missing.out, /check\.yaml:2:\d+: routes\[0\]\.targets\[0\]: the environment variable UP is not set\./);
  });
});
