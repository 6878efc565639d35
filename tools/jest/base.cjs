// Shared Jest settings: TypeScript through swc (decorator metadata on, as in the
// build), @vigil/* resolved to the libraries' sources, and the ES-module-only
// dependencies compiled to CommonJS (see swc-transformer.cjs).
const path = require('node:path');
const root = path.join(__dirname, '../..');

// Dependencies that ship only ES modules and so must pass through the transformer.
const esmOnly = ['@platformatic', 'mnemonist', 'scule', 'obliterator', 'jose'];

module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)s$': path.join(__dirname, 'swc-transformer.cjs') },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: { '^@vigil/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
