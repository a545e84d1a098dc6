import { createHash, randomBytes } from 'node:crypto';
import { type Probe, pathOf } from '../probe.ts';
import { expectCode, fail, ok } from '../verdict.ts';
import { header } from '../wire/reader.ts';

// RFC 6455 §1.3: the GUID the server appends to the key before hashing.
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Probes of protocol upgrades. */
export const UPGRADE_PROBES: readonly Probe[] = [
  {
    id: '101-websocket',
    code: 101,
    title: 'a WebSocket upgrade is answered 101 with Upgrade, Connection and the key accepted',
    needs: ['websocket'],
    run: async (ctx) => {
      const key = randomBytes(16).toString('base64');
      const sent = await ctx.send({
        method: 'GET',
        target: pathOf(ctx, 'websocket'),
        headers: [
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
          ['Sec-WebSocket-Key', key],
          ['Sec-WebSocket-Version', '13'],
        ],
        // The connection is the new protocol's after a 101: never ask to close it.
        close: false,
      });
      // Bytes after the 101 belong to WebSocket, so only the answer itself is held to "no content".
      const checks = expectCode(sent.res, 101, { method: 'GET', profile: ctx.profile });
      if (sent.res?.status !== 101) return checks;
      // RFC 6455 §4.2.2: Sec-WebSocket-Accept = base64(SHA-1(key + GUID)).
      const want = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
      const got = header(sent.res, 'sec-websocket-accept');
      return [
        ...checks,
        got === want
          ? ok('Sec-WebSocket-Accept', 'the key is accepted')
          : fail('Sec-WebSocket-Accept', `Sec-WebSocket-Accept ${got ?? '(missing)'}, expected ${want}`),
      ];
    },
  },
];
