import { join } from 'node:path';

/**
 * The shared specs, rules and public datasets (`../shared` beside the checkout), for tests and
 * benchmarks. TG_SHARED_DIR points elsewhere when the checkout lives on its own.
 */
export function sharedPath(...parts: string[]): string {
  return join(process.env.TG_SHARED_DIR ?? join(__dirname, '../../../../shared'), ...parts);
}
