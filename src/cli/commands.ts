import type { Command } from './command.ts';

/**
 * The CLI's commands, loaded on demand so `statuskit explain` does not pay
 * for the gateway's imports. Add a command with one line here.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  explain: {
    summary: 'what a code means, what a server sends with it, what a client does',
    load: async () => (await import('./explain.ts')).explain,
  },
  codes: {
    summary: 'the contract table, filtered',
    load: async () => (await import('./codes.ts')).codes,
  },
  lab: { summary: 'run the reference service (every code)', load: async () => (await import('./lab.ts')).lab },
  check: { summary: 'probe a running API against the contract', load: async () => (await import('./check.ts')).check },
  serve: {
    summary: 'the gateway: the contract in front of any HTTP API',
    load: async () => (await import('./serve.ts')).serve,
  },
};
