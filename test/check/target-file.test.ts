import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckError, runCheck } from '../../src/check/run.ts';
import { WELL_KNOWN_TARGET } from '../../src/check/target.ts';
import { loadTargetFile, TargetError, validateTarget } from '../../src/check/target-file.ts';

async function serve(
  t: { after: (fn: () => void) => void },
  wellKnown: (res: import('node:http').ServerResponse) => void,
) {
  const server: Server = createServer((req, res) => (req.url === WELL_KNOWN_TARGET ? wellKnown(res) : res.end('x')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('target descriptions', () => {
  it('accepts the documented shape', () => {
    const t = validateTarget(
      { profile: 'dis', resource: '/a/1', collection: '/a', validBody: { n: 1 }, bodyLimit: 10 },
      'x',
    );
    assert.equal(t.profile, 'dis');
  });

  it('lists every problem at once, and never lets a path leave the origin', () => {
    assert.throws(
      () =>
        validateTarget(
          { resource: 'http://evil.example/', getOnly: '//evil.example/x', profile: 'aws', validBody: {}, extra: 1 },
          'f.yaml',
        ),
      (err: unknown) => {
        assert.ok(err instanceof TargetError);
        assert.equal(err.problems.length, 5);
        assert.match(err.message, /^f\.yaml: invalid target description:/);
        assert.match(err.message, /"profile" must be one of dis, dcs, dli, generic/);
        assert.match(err.message, /"validBody" is given but "collection"/);
        return true;
      },
    );
    assert.throws(() => validateTarget([], 'f'), /must be an object/);
    assert.throws(() => validateTarget({ blob: '/a b' }, 'f'), /without spaces/);
  });

  it('reads YAML and JSON files, with the syntax error located', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'statuskit-target-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 't.json'), '{"resource": "/r", "requiresLength": true}');
    assert.deepEqual(await loadTargetFile(join(dir, 't.json')), { resource: '/r', requiresLength: true });
    await writeFile(join(dir, 't.yaml'), 'resource: /r\n  bad: [\n');
    await assert.rejects(loadTargetFile(join(dir, 't.yaml')), /t\.yaml: not valid YAML: .*at line \d+, column \d+/s);
    await writeFile(join(dir, 'bad.json'), '{"resource": ');
    await assert.rejects(loadTargetFile(join(dir, 'bad.json')), /bad\.json: not valid JSON/);
  });

  it('ignores a well-known answer that is not a description, refuses one that is wrong', async (t) => {
    const catchAll = await serve(t, (res) => res.setHeader('Content-Type', 'application/json').end('{"ok":true}'));
    assert.equal((await runCheck(catchAll, { only: ['505-http2'] })).targetSource, 'none');
    const wrong = await serve(t, (res) => res.setHeader('Content-Type', 'application/json').end('{"resource":"r"}'));
    await assert.rejects(runCheck(wrong, { only: ['505-http2'] }), (err: unknown) => {
      assert.ok(err instanceof CheckError);
      assert.equal(err.kind, 'target');
      assert.match(err.message, /target: invalid target description:\n {2}- "resource" must be a path/);
      return true;
    });
  });
});
