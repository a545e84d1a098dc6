import { checkPreconditions, setValidators } from '../../server/helpers/conditional.ts';
import { strongTagFor } from '../../server/helpers/etag.ts';
import { sendBytes } from '../../server/helpers/range.ts';
import type { RouteDef } from '../../server/types.ts';
import { type LabState, tagResponse } from '../state.ts';

/** The blob's bytes: 64 numbered lines of 64 bytes, so any range is easy to check by eye. */
export function blobContent(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 64; i++)
    lines.push(`line ${String(i).padStart(2, '0')} of the statuskit lab blob`.padEnd(63, '.'));
  return Buffer.from(`${lines.join('\n')}\n`);
}

const TEXT = 'text/plain; charset=utf-8';

/** A fixed representation with validators that honours Range (206/416) and conditional GET (304). */
export function blobRoutes(lab: LabState): RouteDef[] {
  const content = blobContent();
  const validators = { etag: strongTagFor(content), lastModified: lab.started };
  const target = { size: content.length, ...validators };
  return [
    {
      path: '/blob',
      produces: [TEXT.split(';')[0] as string],
      methods: {
        GET(ctx) {
          tagResponse(ctx);
          if (checkPreconditions(ctx, validators, lab.options.now())) return;
          setValidators(ctx.res, validators);
          sendBytes(ctx, content, target, { contentType: TEXT });
        },
      },
    },
  ];
}
