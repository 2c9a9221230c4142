import { once } from 'node:events';
import type { Writable } from 'node:stream';

const FLUSH_AT = 64 * 1024;

/** Buffers lines and honours backpressure, so a slow consumer (a pipe to less) bounds memory. */
export class OutputWriter {
  private buffer = '';

  constructor(private readonly stream: Writable) {}

  line(text: string): void {
    this.buffer += text + '\n';
  }

  get pending(): boolean {
    return this.buffer.length >= FLUSH_AT;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
