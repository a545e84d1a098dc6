// The server the client benchmark talks to, run in its own process so that
// the clients under test do not share an event loop with it. Prints its port.
import { createServer } from 'node:http';

const body = JSON.stringify({ id: 'item-1', ok: true, tags: ['a', 'b'] });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
