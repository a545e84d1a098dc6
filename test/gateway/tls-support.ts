/**
 * TLS and HTTP/2 test pieces: a self-signed certificate made by openssl in a
 * temporary directory, and one HTTP/2 exchange through node:http2's client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cert {
  dir: string;
  cert: string;
  key: string;
  pem: Buffer;
}

/** A self-signed certificate for localhost and 127.0.0.1, valid one day. */
export function makeCert(): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { dir, cert, key, pem: readFileSync(cert) };
}

/** Whether curl is installed and speaks HTTP/2 (its tests are skipped otherwise, with that reason). */
export function curlWithHttp2(): string | undefined {
  const r = spawnSync('curl', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'curl is not installed';
  return /HTTP2/.test(r.stdout) ? undefined : 'this curl has no HTTP/2 support';
}

export interface H2Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** One request on `session`; `body` is sent and the stream ended. */
export function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string | Buffer,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let text = '';
    let head: http2.IncomingHttpHeaders = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (c: string) => (text += c));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

/** An HTTP/2 session to `url` trusting `ca`. */
export async function h2Connect(url: string, ca?: Buffer): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(url, ca ? { ca } : {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}
