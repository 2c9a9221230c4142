import { stat } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { listInputFiles } from '@trailguard/cloudtrail';

/** Inputs smaller than this finish before a bar would help. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

/** Total size on disk of the inputs (compressed bytes for .gz), as the readers will count them. */
export async function inputBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isFile()) total += info.size;
      else if (info.isDirectory()) {
        for (const file of await listInputFiles(path)) total += (await stat(file)).size;
      }
    } catch {
      // Unreadable inputs are reported by the scan itself.
    }
  }
  return total;
}

export interface Progress {
  update(bytes: number, events: number): void;
  stop(): void;
}

export function startProgress(totalBytes: number, stream: NodeJS.WriteStream): Progress {
  const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);
  const bar = new SingleBar(
    {
      stream,
      format: ' {bar} {percentage}% | {done}/{total_mb} MB | {events} events | ETA {eta_formatted}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(totalBytes, 0, { done: '0', total_mb: mb(totalBytes), events: '0' });
  return {
    update: (bytes, events) => bar.update(bytes, { done: mb(bytes), events: events.toLocaleString('en-US') }),
    stop: () => bar.stop(),
  };
}
