// Unit tests: no server needed, seconds to run (`npm run test:unit`).
const base = require('./tools/jest/base.cjs');

module.exports = {
  ...base,
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs,scripts,deploy}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
