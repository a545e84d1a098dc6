/**
 * The peers of the lab's /blob, serving the same bytes: express's
 * res.sendFile (the `send` module: ETag, Last-Modified, Range, 304; reads
 * the file per request) at /blob, and res.send(buffer) from memory (ETag and
 * 304, no Range) at /memory. Prints its port on stdout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { blobContent } from '../../src/lab/routes/blob.ts';

const file = join(mkdtempSync(join(tmpdir(), 'statuskit-bench-')), 'blob.txt');
writeFileSync(file, blobContent());
const app = express();
const content = blobContent();
app.get('/blob', (_req, res) => res.sendFile(file));
app.get('/memory', (_req, res) => res.type('text/plain').send(content));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
