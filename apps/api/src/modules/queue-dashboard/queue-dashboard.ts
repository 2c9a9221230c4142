import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { JobQueue } from '@trailguard/queues';
import { isOperatorRequest } from '../../common/auth';

export const QUEUE_DASHBOARD_PATH = '/queues';

/**
 * The operators' queue dashboard (bull-board) at /queues: every queue's jobs by state, with retry
 * and clean. Operator token only, as `X-Admin-Token` or, from a browser, as the password of the
 * Basic prompt. Job payloads hold tenant ids and event batches, never secrets.
 */
export function mountQueueDashboard(app: NestExpressApplication, adminToken: string): void {
  const queue = app.get(JobQueue);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: queue.names().map((name) => new BullMQAdapter(queue.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Trailguard queues' } },
  });
  const operatorsOnly = (req: Request, res: Response, next: NextFunction) => {
    if (isOperatorRequest(req, adminToken)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="Trailguard operators", charset="UTF-8"')
      .json({
        error: { code: 'unauthorized', message: 'the queue dashboard needs the operator token (X-Admin-Token, or as the Basic password)' },
      });
  };
  app.use(QUEUE_DASHBOARD_PATH, operatorsOnly, serverAdapter.getRouter());
}
