import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../catalog/index.ts';
import { type TargetDescription, WELL_KNOWN_TARGET } from '../check/target.ts';
import type { ServerOptions } from '../server/options.ts';
import { sendJson } from '../server/respond.ts';
import { createServer } from '../server/serve.ts';
import type { RouteDef } from '../server/types.ts';
import { type LabOptions, resolveLabOptions } from './options.ts';
import { blobRoutes } from './routes/blob.ts';
import { failureRoutes } from './routes/failures.ts';
import { jobRoutes } from './routes/jobs.ts';
import { privateRoutes } from './routes/private.ts';
import { redirectRoutes } from './routes/redirects.ts';
import { statusRoutes } from './routes/status.ts';
import { streamRoutes } from './routes/streams.ts';
import { createState, JSON_ONLY } from './state.ts';
import { createEcho } from './ws.ts';

/** The stream that exists from the start, for checkers that need one resource. */
export const EXAMPLE_STREAM = 'example';

export interface Lab {
  readonly profile: Profile;
  readonly routes: RouteDef[];
  readonly target: TargetDescription;
  /** Closes the lab's open WebSocket connections. */
  close(): void;
}

/**
 * The reference service: routes that produce every code of the contract
 * through real requests over in-memory state, and the description the
 * checker reads at WELL_KNOWN_TARGET.
 */
export function createLab(options: LabOptions = {}): Lab {
  const resolved = resolveLabOptions(options);
  const lab = createState(resolved);
  const echo = createEcho();
  lab.streams.create({ name: EXAMPLE_STREAM, partitions: 1, description: 'Exists from the start.' });

  const target: TargetDescription = {
    profile: resolved.profile,
    resource: `/streams/${EXAMPLE_STREAM}`,
    collection: '/streams',
    // No name: the lab picks one, so every probe run can create anew (201, never 409).
    validBody: { partitions: 2 },
    invalidBody: { partitions: 0 },
    bodyLimit: resolved.bodyLimit,
    requiresLength: true,
    getOnly: '/blob',
    blob: '/blob',
    redirect: '/redirect/302',
    error: '/fail',
    jsonOnly: '/streams',
    slow: '/slow',
    limited: '/limited',
    protected: '/private',
    unavailable: '/maintenance',
    websocket: '/ws/echo',
  };

  const routes: RouteDef[] = [
    ...streamRoutes(lab),
    ...blobRoutes(lab),
    ...jobRoutes(lab),
    ...redirectRoutes(),
    ...failureRoutes(lab),
    ...privateRoutes(lab),
    ...statusRoutes(echo),
    {
      path: '/ws/echo',
      upgrade: echo.upgrade,
      methods: {
        GET: (ctx) =>
          sendJson(ctx, 200, { websocket: '/ws/echo', note: 'Open a WebSocket here; every message comes back.' }),
      },
    },
    {
      path: WELL_KNOWN_TARGET,
      produces: JSON_ONLY,
      methods: { GET: (ctx) => sendJson(ctx, 200, target) },
    },
  ];
  const index = routes.map((r) => ({ path: r.path, methods: Object.keys(r.methods) }));
  routes.push({
    path: '/',
    produces: JSON_ONLY,
    methods: {
      GET: (ctx) =>
        sendJson(ctx, 200, {
          service: 'statuskit lab',
          profile: resolved.profile,
          docs: 'docs/lab.md',
          routes: index,
        }),
    },
  });
  return { profile: resolved.profile, routes, target, close: echo.close };
}

export interface StartLabOptions extends LabOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Options of the statuskit front the lab runs on (limits, hooks); profile and routes come from the lab. @default {} */
  server?: Omit<ServerOptions, 'profile' | 'routes'>;
}

export interface RunningLab {
  readonly server: Server;
  /** `http://host:port` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly lab: Lab;
  /** Stops listening, closes every connection, resolves when the server is closed. */
  close(): Promise<void>;
}

/** Starts the lab on its own statuskit front and resolves once it listens. */
export async function startLab(options: StartLabOptions = {}): Promise<RunningLab> {
  const { port = 0, host = '127.0.0.1', server: serverOptions, ...labOptions } = options;
  const lab = createLab(labOptions);
  const server = createServer({ ...serverOptions, profile: lab.profile, routes: lab.routes });
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    lab.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${shown}:${address.port}`,
    lab,
    close() {
      closing ??= new Promise<void>((resolve) => {
        lab.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
