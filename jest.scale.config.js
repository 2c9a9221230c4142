// `npm run test:scale`: one API and three worker processes on a local 6-node Redis Cluster, with a
// worker killed and a master failed over mid-run (test/scale). Minutes long, so apart from `npm test`.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'],
  testTimeout: 1_500_000,
};
