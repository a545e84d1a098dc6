import { startLab } from '../../src/lab/index.ts';

// statuskit's lab on its own front, with default options; it describes itself at WELL_KNOWN_TARGET.
const lab = await startLab({ port: 0 });
process.stdout.write(`${JSON.stringify({ url: lab.url })}\n`);
