import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Deepest nesting of arrays and objects a request may carry. CloudTrail records nest a dozen
 * levels at most; far deeper input parses fine but later overflows the stack wherever it is
 * serialised again (batch encoding, Prisma's JSON), which would be a 500 or a poisoned job.
 */
export const MAX_JSON_DEPTH = 128;

export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
  constructor() {
    super(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/** True when JSON text nests deeper than `max`: one pass over the bytes, strings skipped, nothing parsed. */
export function jsonTextTooDeep(text: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** body-parser `verify` hook: refuses over-deep JSON before it is parsed. */
export function refuseDeepJson(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (jsonTextTooDeep(body)) throw new JsonTooDeepError();
}
