import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  receivedAt: Date;
  webhookId: string;
  /** The payload's `type` (finding.created, posture.changed, ...). */
  type: string;
  data: Record<string, unknown>;
  /** True when `standardwebhooks` accepted the signature with the endpoint's secret. */
  verified: boolean;
  error: string | null;
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/**
 * The customer's webhook consumer: a node:http server on 127.0.0.1 that verifies every delivery
 * with the standardwebhooks package before trusting it, as the Standard Webhooks spec asks.
 * A delivery that fails verification is answered 401 and recorded as unverified.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private verifier: Webhook | null = null;
  private listeners: Array<(w: ReceivedWebhook) => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let self: WebhookReceiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = self ? self.accept(req, Buffer.concat(chunks).toString('utf8')) : 503;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 204 ? undefined : 'rejected');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    self = new WebhookReceiver(server, `http://127.0.0.1:${port}/trailguard-webhooks`);
    return self;
  }

  /** The whsec_ secret Trailguard showed once when the endpoint was registered. */
  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  onDelivery(listener: (w: ReceivedWebhook) => void): void {
    this.listeners.push(listener);
  }

  private accept(req: IncomingMessage, body: string): number {
    const headers = {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    };
    let payload: { type?: unknown; data?: unknown } = {};
    let error: string | null = null;
    try {
      if (!this.verifier) throw new Error('no secret configured yet');
      payload = this.verifier.verify(body, headers) as typeof payload;
    } catch (err) {
      error = (err as Error).message;
      try {
        payload = JSON.parse(body) as typeof payload;
      } catch {
        payload = {};
      }
    }
    const w: ReceivedWebhook = {
      receivedAt: new Date(),
      webhookId: headers['webhook-id'],
      type: typeof payload.type === 'string' ? payload.type : '?',
      data: payload.data && typeof payload.data === 'object' ? (payload.data as Record<string, unknown>) : {},
      verified: error === null,
      error,
    };
    this.received.push(w);
    for (const l of this.listeners) l(w);
    return w.verified ? 204 : 401;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
