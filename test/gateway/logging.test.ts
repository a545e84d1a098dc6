import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { hundredths } from '../../src/gateway/telemetry/access-log.ts';
import { FdSink } from '../../src/gateway/telemetry/log-sink.ts';
import { completeByLength, rawExchange, startGateway, startUpstream, type Upstream } from './support.ts';

const SINK = fileURLToPath(new URL('../../src/gateway/telemetry/log-sink.ts', import.meta.url));

/**
 * A plain node process (no loader: tsx opens process.stdout itself, which
 * changes how fd 1 behaves) running the sink's module followed by `script`,
 * its stdout and stderr piped to us. Node gives a child's stdio blocking.
 */
function sinkChild(script: string): ChildProcessByStdio<null, Readable, Readable> {
  const { outputText } = ts.transpileModule(readFileSync(SINK, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return spawn(process.execPath, ['--input-type=module', '-e', `${outputText}\n${script}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const flushed = (sink: FdSink): Promise<void> => new Promise((resolve) => sink.flush(() => resolve()));

describe('access-line durations', () => {
  it('are written as String(Math.round(ms * 100) / 100) writes them', () => {
    const values = [
      0, 0.004, 0.005, 0.015, 0.07, 0.1, 0.995, 1, 1.2, 3, 10.1, 12.345, 999.999, 60_000, 123_456_789.987,
    ];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      values.push((seed / 2 ** 31) * 10 ** (i % 7));
    }
    for (const ms of values) assert.equal(hundredths(ms), String(Math.round(ms * 100) / 100), `ms = ${ms}`);
  });
});

describe('the log sink', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'statuskit-sink-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const direct of [false, true]) {
    it(`writes text and bytes in the order they were handed over (${direct ? 'on the loop' : 'off the loop'})`, async () => {
      const file = join(dir, `order-${direct}.log`);
      const fd = openSync(file, 'w');
      const sink = new FdSink(fd, { direct });
      const expected: string[] = [];
      for (let i = 0; i < 500; i++) {
        const line = `${JSON.stringify({ i, kind: i % 3 === 0 ? 'text' : 'bytes', pad: 'x'.repeat(i % 97) })}\n`;
        expected.push(line);
        if (i % 3 === 0) sink.write(line);
        else sink.writeBytes(Buffer.from(line));
      }
      // On the loop, everything is written by now.
      if (direct) assert.equal(readFileSync(file, 'utf8'), expected.join(''));
      await flushed(sink);
      assert.equal(sink.pendingBytes, 0);
      closeSync(fd);
      assert.equal(readFileSync(file, 'utf8'), expected.join(''));
    });
  }

  it('writes what is still queued when asked to synchronously (a process about to exit)', () => {
    const file = join(dir, 'sync.log');
    const fd = openSync(file, 'w');
    const sink = new FdSink(fd);
    sink.write('first\n');
    sink.writeBytes(Buffer.from('second\n'));
    sink.write('third\n');
    // The first write is under way off the loop; the other two are queued behind it.
    sink.flushSync();
    return flushed(sink).then(() => {
      closeSync(fd);
      assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean).sort(), ['first', 'second', 'third']);
    });
  });

  it('loses nothing to a reader that falls behind, and does not wait for it', async () => {
    // A child writes 4 MiB of lines through its stdout sink at once; we do not read its pipe for a while.
    // The pipe holds 64 KiB: had a write blocked, the loop would have stood still until we read.
    const lines = 40_000;
    const script = `
      const sink = stdoutSink();
      for (let i = 0; i < ${lines}; i++) {
        const line = JSON.stringify({ i, pad: 'y'.repeat(80) }) + '\\n';
        if (i % 2) sink.write(line); else sink.writeBytes(Buffer.from(line));
      }
      process.stderr.write(sink.pendingBytes > 1_000_000 ? 'queued\\n' : 'blocked\\n');`;
    const child = sinkChild(script);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the pipe fills meanwhile
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number]; // 'close': after the child's stdio ended too
    assert.equal(code, 0);
    assert.equal(stderr, 'queued\n');
    const got = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
    assert.equal(got.length, lines);
    for (const [i, text] of got.entries()) assert.equal((JSON.parse(text) as { i: number }).i, i);
  });
  it('says once on stderr when its reader went away, then drops lines and keeps running', async () => {
    const script = `
      const sink = stdoutSink();
      sink.write('first\\n');
      await new Promise((r) => setTimeout(r, 300)); // the reader goes away meanwhile
      for (let i = 0; i < 1000; i++) sink.writeBytes(Buffer.from('x'.repeat(100) + '\\n'));
      await new Promise((r) => sink.flush(r));
      sink.write('after\\n');
      await new Promise((r) => sink.flush(r));
      process.stderr.write('still running\\n');`;
    const child = sinkChild(script);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(first.toString(), 'first\n');
    child.stdout.destroy();
    const [code] = (await once(child, 'close')) as [number]; // 'close': after the child's stdio ended too
    assert.equal(code, 0);
    assert.equal(stderr.match(/can no longer be written to fd 1 \(EPIPE\)/g)?.length, 1, stderr);
    assert.match(stderr, /still running/);
  });
});

describe('access lines through the sink, from a gateway on a real socket', () => {
  let upstream: Upstream;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'statuskit-access-'));
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const direct of [false, true])
    it(`writes one valid JSON line per request, escaped paths and a path longer than a batch included (${direct ? 'written at once, the batch buffer reused' : 'written off the loop'})`, async () => {
      const file = join(dir, `gateway-${direct}.log`);
      const fd = openSync(file, 'w');
      const sink = new FdSink(fd, { direct });
      const gateway = await startGateway({ routes: [{ path: '/', targets: [upstream.url] }] }, { logStream: sink });
      // Within the request-line limit, but escaped to more than a batch's room (every character doubles).
      const long = `/${'"'.repeat(3_000)}${'\\'.repeat(4_000)}`;
      const paths = ['/plain', '/with"quote', '/back\\slash', long];
      for (let i = 0; i < 300; i++) paths.push(`/n/${i}`);
      // A quote or a backslash is no URI character (RFC 3986 §3.3): 400, and logged with the path as sent.
      const statusOf = (path: string) => (/["\\]/.test(path) ? 400 : 200);
      try {
        for (const path of paths) {
          const res = await rawExchange(gateway.port, `GET ${path} HTTP/1.1\r\nHost: gw\r\n\r\n`, completeByLength);
          assert.equal(res.status, statusOf(path), path.slice(0, 40));
        }
      } finally {
        await gateway.close();
      }
      await flushed(sink);
      closeSync(fd);
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const access = entries.filter((e) => e.msg === 'request');
      assert.deepEqual(
        access.map((e) => e.path),
        paths,
      );
      for (const e of access) {
        assert.equal(e.status, statusOf(e.path as string));
        assert.equal(e.method, 'GET');
        if (e.status === 200) assert.equal(e.upstream, upstream.url);
        assert.equal(typeof e.duration_ms, 'number');
        assert.equal(e.level, 'info');
      }
      // Events go through the same sink, after the access lines written before them.
      const stopped = entries.findIndex((e) => e.msg === 'stopped');
      assert.ok(stopped > entries.lastIndexOf(access.at(-1) as Record<string, unknown>));
    });
});
