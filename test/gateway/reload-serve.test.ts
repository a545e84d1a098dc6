/**
 * `statuskit serve` reloads on SIGHUP (src/gateway/reload.ts through the CLI
 * shell and launch): a file that does not validate is refused with its
 * file:line:col errors and the old configuration keeps serving; a valid one
 * is swapped in, in one process and in every worker of --workers 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe } from './process.ts';
import { startUpstream, type Upstream, waitFor } from './support.ts';

describe('statuskit serve reloads on SIGHUP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-reload-'));
  let a: Upstream;
  let b: Upstream;
  before(async () => {
    a = await startUpstream((_req, res) => res.end('A'));
    b = await startUpstream((_req, res) => res.end('B'));
  });
  after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [1, 2]) {
    it(`refuses an invalid file and keeps serving, then swaps in a valid one (--workers ${workers})`, async (t) => {
      const file = join(dir, `gateway-${workers}.yaml`);
      writeFileSync(file, ['routes:', `  - { path: /, targets: ["${a.url}"] }`].join('\n'));
      const serve = await startServe([
        '--config',
        file,
        '--port',
        '0',
        '--admin-port',
        '0',
        '--workers',
        String(workers),
      ]);
      t.after(() => serve.stop());
      const body = async (path: string) => {
        const res = await fetch(`${serve.url}${path}`, { headers: { connection: 'close' } });
        return `${res.status} ${await res.text()}`;
      };
      assert.equal(await body('/x'), '200 A');
      writeFileSync(file, ['routes:', `  - { path: /, targets: ["${a.url}"], timout: 5s }`].join('\n'));
      serve.child.kill('SIGHUP');
      await waitFor('the refusal', () => /reload refused/.test(serve.stderr()));
      assert.match(
        serve.stderr(),
        /gateway-\d\.yaml:2:\d+: routes\[0\]\.timout: unknown field "timout"\. Did you mean "timeout"\?/,
      );
      assert.equal(await body('/x'), '200 A');
      writeFileSync(
        file,
        [
          'routes:',
          `  - { path: /, targets: ["${b.url}"] }`,
          `  - { path: /new, targets: ["${b.url}"], methods: [GET] }`,
        ].join('\n'),
      );
      serve.child.kill('SIGHUP');
      await waitFor(
        'every process reloaded',
        () => (serve.stdout().match(/"msg":"reloaded"/g) ?? []).length >= workers,
      );
      for (let i = 0; i < 8; i++) assert.equal(await body(`/x${i}`), '200 B');
      assert.equal((await fetch(`${serve.url}/new/y`, { method: 'POST' })).status, 405);
      assert.equal(serve.child.exitCode, null, 'SIGHUP never ends the process');
      // The same through the admin port: POST /reload.
      writeFileSync(file, ['routes:', `  - { path: /, targets: ["${a.url}"] }`].join('\n'));
      const ok = await fetch(`${serve.adminUrl}/reload`, { method: 'POST' });
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.equal(((await ok.json()) as { status: string }).status, 'reloaded');
      await waitFor(
        'every process reloaded again',
        () => (serve.stdout().match(/"msg":"reloaded"/g) ?? []).length >= 2 * workers,
      );
      for (let i = 0; i < 4; i++) assert.equal(await body(`/z${i}`), '200 A');
      writeFileSync(file, 'routes: [');
      const refused = await fetch(`${serve.adminUrl}/reload`, { method: 'POST' });
      assert.equal(refused.status, 409);
      const problem = (await refused.json()) as { error_code: string; error_msg: string };
      assert.equal(problem.error_code, 'SVC.0409.RELOAD_REFUSED');
      assert.match(problem.error_msg, /gateway-\d\.yaml:1:\d+/);
      assert.equal(await body('/still'), '200 A');
      assert.equal((await fetch(`${serve.adminUrl}/reload`)).status, 405);
    });
  }
});
