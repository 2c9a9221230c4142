// `npm run test:faults`: the reliability suites (kill -9, Redis and Postgres outages). Slower, so
// they run apart from `npm test`; CI runs both.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 600_000,
};
