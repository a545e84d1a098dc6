import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { announce, authorized, BLOB, BODY_LIMIT, CHALLENGE, invalidItem, SECRET, SLOW_MS } from './shared.ts';

// An Express 5 app: express.json() for bodies, res.sendFile for the blob (it honours Range).
const blobFile = join(tmpdir(), `statuskit-conformance-${process.pid}.txt`);
writeFileSync(blobFile, BLOB);
const items = new Map<string, unknown>([['1', { name: 'first' }]]);
const app = express();
app.use(express.json({ limit: BODY_LIMIT }));

app.get('/ping', (_req, res) => void res.json({ pong: true }));
app.get('/old', (_req, res) => res.redirect(302, '/ping'));
app.get('/boom', () => {
  throw new Error('boom');
});
app.get('/slow', (_req, res) => void setTimeout(() => res.json({ slow: true }), SLOW_MS));
app.get('/blob', (_req, res) => res.sendFile(blobFile));
app.get(
  '/admin/secret',
  (req, res, next) =>
    authorized(req.get('authorization')) ? next() : res.status(401).set(CHALLENGE).json({ error: 'unauthorized' }),
  (_req, res) => void res.json(SECRET),
);
app.get('/items', (_req, res) => void res.json([...items.values()]));
app.get('/items/1', (_req, res) => void res.json(items.get('1')));
app.put('/items/1', (req, res) => {
  const invalid = invalidItem(req.body);
  if (invalid) return void res.status(422).json({ error: invalid });
  res.json(req.body);
});
app.post('/items', (req, res) => {
  const invalid = invalidItem(req.body);
  if (invalid) return void res.status(422).json({ error: invalid });
  const id = String(items.size + 1);
  items.set(id, req.body);
  res.status(201).location(`/items/${id}`).json(req.body);
});

const server = app.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
