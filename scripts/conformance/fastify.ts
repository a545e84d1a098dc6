import Fastify from 'fastify';
import { announce, authorized, BLOB, BODY_LIMIT, CHALLENGE, invalidItem, SECRET, SLOW_MS } from './shared.ts';

// A Fastify 5 app: its own JSON parser, body limit and 404/415 handling; no plugins.
const items = new Map<string, unknown>([['1', { name: 'first' }]]);
const app = Fastify({ bodyLimit: BODY_LIMIT });

app.get('/ping', async () => ({ pong: true }));
app.get('/old', async (_req, reply) => reply.redirect('/ping', 302));
app.get('/boom', async () => {
  throw new Error('boom');
});
app.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve({ slow: true }), SLOW_MS)));
app.get('/blob', async (_req, reply) => reply.type('text/plain').send(BLOB));
app.get(
  '/admin/secret',
  {
    onRequest: async (req, reply) => {
      if (!authorized(req.headers.authorization))
        await reply.code(401).headers(CHALLENGE).send({ error: 'unauthorized' });
    },
  },
  async () => SECRET,
);
app.get('/items', async () => [...items.values()]);
app.get('/items/1', async () => items.get('1'));
app.put('/items/1', async (req, reply) => {
  const invalid = invalidItem(req.body);
  return invalid ? reply.code(422).send({ error: invalid }) : req.body;
});
app.post('/items', async (req, reply) => {
  const invalid = invalidItem(req.body);
  if (invalid) return reply.code(422).send({ error: invalid });
  const id = String(items.size + 1);
  items.set(id, req.body);
  return reply.code(201).header('Location', `/items/${id}`).send(req.body);
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
announce(Number(new URL(address).port));
