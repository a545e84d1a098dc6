import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasToken, header, parseResponse } from '../../src/check/wire/reader.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('the response reader', () => {
  it('reads a Content-Length body and leaves a pipelined response for the next call', () => {
    const buf = b(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n',
    );
    const first = parseResponse(buf, 0);
    assert.equal(first.kind, 'response');
    if (first.kind !== 'response') return;
    assert.equal(first.response.status, 200);
    assert.equal(first.response.body.toString(), 'hello');
    assert.equal(first.response.framing, 'length');
    assert.equal(header(first.response, 'x-a'), '1, 2');
    const second = parseResponse(buf, first.consumed);
    assert.equal(second.kind === 'response' && second.response.status, 204);
  });

  it('waits for more bytes until the header section and body are complete', () => {
    assert.equal(parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n'), 0).kind, 'incomplete');
    assert.equal(parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), 0).kind, 'incomplete');
    const cut = parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), 0, { closed: true });
    assert.equal(cut.kind, 'invalid');
  });

  it('decodes chunked bodies with extensions and trailers', () => {
    const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n';
    assert.equal(parseResponse(b(raw.slice(0, -3)), 0).kind, 'incomplete');
    const r = parseResponse(b(raw), 0);
    assert.equal(r.kind === 'response' && r.response.body.toString(), 'abcde');
    assert.equal(r.kind === 'response' && r.consumed, raw.length);
    assert.equal(parseResponse(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 0).kind, 'invalid');
  });

  it('reads a body without length until the connection closes', () => {
    const raw = b('HTTP/1.0 200 OK\r\n\r\nall of it');
    assert.equal(parseResponse(raw, 0).kind, 'incomplete');
    const r = parseResponse(raw, 0, { closed: true });
    assert.equal(r.kind === 'response' && r.response.framing, 'close');
    assert.equal(r.kind === 'response' && r.response.body.toString(), 'all of it');
  });

  it('gives HEAD answers, 1xx, 204 and 304 no body whatever their headers say', () => {
    const head = parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), 0, { head: true });
    assert.equal(head.kind === 'response' && head.response.body.length, 0);
    const cont = parseResponse(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n\r\n'), 0);
    assert.equal(cont.kind === 'response' && cont.response.status, 100);
    const nm = parseResponse(b('HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\n'), 0);
    assert.equal(nm.kind === 'response' && nm.response.framing, 'none');
  });

  it('bounds the body it keeps', () => {
    const r = parseResponse(b(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`), 0, {
      maxBodyBytes: 10,
    });
    assert.equal(r.kind === 'response' && r.response.truncated, true);
    assert.equal(r.kind === 'response' && r.response.body.length, 10);
  });

  it('refuses what is not an HTTP/1 response', () => {
    assert.equal(parseResponse(b('SSH-2.0-OpenSSH\r\n\r\n'), 0).kind, 'invalid');
    assert.equal(parseResponse(b('HTTP/1.1 200 OK\r\nBad Header: 1\r\n\r\n'), 0).kind, 'invalid');
    assert.equal(parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx'), 0).kind, 'invalid');
    assert.equal(parseResponse(b('x'.repeat(70_000)), 0).kind, 'invalid');
  });

  it('finds tokens in list-valued fields', () => {
    assert.equal(hasToken('keep-alive, Close', 'close'), true);
    assert.equal(hasToken('closed', 'close'), false);
    assert.equal(hasToken(undefined, 'close'), false);
  });
});
