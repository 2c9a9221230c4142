import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const seconds = z.coerce.number().int().positive();

/**
 * Every environment variable Trailguard reads. Names are part of the public interface:
 * add new ones, never rename.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Listener address. Unset: 127.0.0.1 in development, 0.0.0.0 otherwise. */
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty`: one coloured line per entry; `json`: one JSON object per line. Unset: pretty in development on a terminal, else JSON. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** Operator token for tenant provisioning; required in production. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Owner connection: migrations and setup. Unset: the embedded Postgres under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Connection used by the application, as a role that cannot bypass row-level security. */
  DATABASE_APP_URL: z.string().url().optional(),
  /** Unset: a redis-server child process with AOF under DATA_DIR. */
  REDIS_URL: z.string().url().optional(),
  /**
   * Seed nodes of a Redis Cluster, `host:port,host:port,...`, instead of REDIS_URL. Queues, rate
   * limits, correlation state and caches then spread over the cluster's slots.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/, 'must be host:port[,host:port...]')
    .optional(),
  /**
   * How many queues the detection work is split into, by tenant (each its own Redis Cluster hash
   * tag). Every process must use the same number. Default: 1 on one Redis, 4 on a cluster.
   */
  DETECT_QUEUE_SHARDS: z.coerce.number().int().min(1).max(256).optional(),
  DATA_DIR: z.string().default('.data'),
  /** 32 bytes, base64: encrypts webhook secrets at rest. Development generates one under DATA_DIR. */
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  PLATFORM_AWS_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  /**
   * An S3 bucket of the platform account for onboarding templates: CloudFormation quick-create
   * links need the template on S3 (a presigned link to it). Unset: the link points at the API.
   */
  ONBOARDING_TEMPLATE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional(),
  POLL_INTERVAL_SECONDS: seconds.default(60),
  POSTURE_INTERVAL_SECONDS: seconds.default(300),
  FINDING_WINDOW_SECONDS: seconds.default(3600),
  /** A trail with log file validation whose newest digest is older than this: digest delivery stopped. */
  DIGEST_MAX_AGE_SECONDS: seconds.default(7200),
  /** LookupEvents saw activity in a region this much later than the newest trail log file there: an unlogged region. */
  DELIVERY_GAP_SECONDS: seconds.default(3600),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
  WEBHOOK_RETRY_SCHEDULE: z.string().optional(),
  /** How often pending deliveries whose next attempt is overdue by this long get their job back (lost or failed jobs). */
  WEBHOOK_SWEEP_SECONDS: seconds.default(60),
  /** Requests per minute per tenant (API keys of one tenant share the budget). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  /** Failed authentication attempts (API key, operator or ingest token) per client address per minute before it is refused with 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. Unset: /metrics is open (keep it off the public network). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Largest accepted request body, in bytes (uploads included). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** How long a worker holds a job before others may take it over (a crashed worker's jobs return after this). */
  WORKER_LOCK_SECONDS: seconds.default(60),
  /**
   * How long the de-duplication ledger remembers an event (by eventID and eventTime). CloudTrail
   * delivers most events within 15 minutes, some hours late, and polls re-read a 5-minute overlap;
   * three days covers both with room. Records whose eventTime is older are refused as too old
   * (reported by the upload, counted in trailguard_events_refused_total): counting them could
   * count an event twice.
   */
  DEDUP_WINDOW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72),
  /** Evidence records kept per finding: the first half and the latest half; the event count stays exact. */
  FINDING_EVIDENCE_MAX: z.coerce.number().int().min(2).max(10_000).default(100),
  /** Days published domain events, webhook attempts and finished deliveries are kept. */
  DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Days findings and their evidence are kept for a tenant that has not chosen (PATCH /v1/tenant retentionDays). */
  FINDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** The most a tenant may choose for retentionDays. */
  FINDING_RETENTION_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** How often the retention job runs (drops due partitions, creates the next ones). */
  RETENTION_INTERVAL_SECONDS: seconds.default(3600),
  /**
   * Apply pending migrations (and prepare the application role) at start. docker-compose sets it
   * to false for api and worker and runs them once in its `migrate` step (`npm run db:migrate`).
   */
  MIGRATE_ON_START: bool.default(true),
  /** The standalone worker (`start:worker`) answers GET /healthz on this port (container health checks). Unset: no listener. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Run the BullMQ workers in the API process (the one-machine default). */
  RUN_WORKERS: bool.default(true),
});

export type Config = z.infer<typeof configSchema>;
