/**
 * Helpers of the many-nodes tests: several `statuskit serve` processes on one
 * configuration file, requests spread over them with bounded concurrency.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Reply, send } from './limits/harness.ts';
import { type ServeProcess, startServe } from './process.ts';

/** Starts `count` gateways on `yaml` (written to `dir`), in parallel. */
export async function startNodes(dir: string, name: string, yaml: string[], count: number): Promise<ServeProcess[]> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml.join('\n'));
  return Promise.all(
    Array.from({ length: count }, () =>
      startServe(['--config', file, '--port', '0', '--admin-port', '0', '--log-level', 'error']),
    ),
  );
}

export const portOf = (node: ServeProcess) => Number(new URL(node.url).port);

export interface Sent {
  /** Which node answered (index into the nodes). */
  node: number;
  /** The caller's tag: which client, which signed request… */
  tag: string;
  reply: Reply;
}

/**
 * Sends every request of `plan` (node index, tag, request), at most
 * `concurrency` at once; answers in the plan's order.
 */
export async function spread(
  nodes: readonly ServeProcess[],
  plan: readonly { node: number; tag: string; path: string; headers?: Record<string, string> }[],
  concurrency: number,
): Promise<Sent[]> {
  const out: Sent[] = new Array(plan.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plan.length) {
        const i = next++;
        const p = plan[i]!;
        const reply = await send(portOf(nodes[p.node]!), {
          path: p.path,
          ...(p.headers ? { headers: p.headers } : {}),
        });
        out[i] = { node: p.node, tag: p.tag, reply };
      }
    }),
  );
  return out;
}

/** A 429 as the contract wants it: Retry-After in whole seconds (≥ 1) and the RateLimit fields. */
export function refusalProblems(r: Reply): string[] {
  const problems: string[] = [];
  const after = String(r.headers['retry-after'] ?? '');
  if (!/^[1-9]\d*$/.test(after)) problems.push(`Retry-After ${JSON.stringify(after)}`);
  if (!r.headers.ratelimit) problems.push('no RateLimit');
  if (!r.headers['ratelimit-policy']) problems.push('no RateLimit-Policy');
  return problems;
}
