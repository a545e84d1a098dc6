import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, authorized, BLOB, BODY_LIMIT, CHALLENGE, invalidItem, SECRET, SLOW_MS } from './shared.ts';

// A plain node:http app: routing, JSON and limits written by hand, as such apps do.
const items = new Map<string, unknown>([['1', { name: 'first' }]]);

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  if (path === '/ping' && req.method === 'GET') return json(200, { pong: true });
  if (path === '/old') return void res.writeHead(302, { Location: '/ping' }).end();
  if (path === '/boom') throw new Error('boom');
  if (path === '/slow') return void setTimeout(() => json(200, { slow: true }), SLOW_MS);
  if (path === '/blob' && req.method === 'GET')
    return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end(BLOB);
  if (path === '/admin/secret' && req.method === 'GET') {
    return authorized(req.headers.authorization) ? json(200, SECRET) : json(401, { error: 'unauthorized' }, CHALLENGE);
  }
  if (path === '/items' && req.method === 'GET') return json(200, [...items.values()]);
  if (path === '/items/1' && req.method === 'GET') return json(200, items.get('1'));
  if ((path === '/items' && req.method === 'POST') || (path === '/items/1' && req.method === 'PUT')) {
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return json(413, { error: 'too large' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return json(400, { error: 'invalid JSON' });
      }
      const invalid = invalidItem(body);
      if (invalid) return json(422, { error: invalid });
      if (req.method === 'PUT') return json(200, body);
      const id = String(items.size + 1);
      items.set(id, body);
      json(201, body, { Location: `/items/${id}` });
    });
    return;
  }
  json(404, { error: 'not found' });
});
// Without a handler for the throw above, node:http would crash; apps keep running like this.
process.on('uncaughtException', () => undefined);
server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
