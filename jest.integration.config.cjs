// Integration tests: against the real Kafka, schema registry, Postgres and Redis,
// which scripts/test.mjs starts (or reuses) before Jest runs.
const base = require('./tools/jest/base.cjs');

module.exports = {
  ...base,
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  testTimeout: 120_000,
  // One broker and one registry on two cores: files run one at a time so their
  // timings stay honest; each test still isolates its data with unique prefixes.
  maxWorkers: 1,
  // Real clients (ioredis reconnect timers, Kafka sockets closing) can outlive a test file
  // by a few seconds; a run that has reported its results must end rather than wait on
  // them, or CI would hang after a green run. Leaks are still worth finding with
  // `--detectOpenHandles`.
  forceExit: true,
};
