// Jest runs our code as CommonJS, as Node does in production. A few dependencies
// (@platformatic/kafka among them) ship only ES modules; Node 24 loads those with
// require(esm), but Jest has its own module system without it, so they are compiled
// to CommonJS here. Their `createRequire(import.meta.url)` only recreates what
// CommonJS already has, so it is dropped; any other `import.meta.url` becomes the
// module's file URL.
const { createTransformer } = require('@swc/jest');
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../.swcrc'), 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;
swcrc.jsc.baseUrl = path.join(__dirname, '../..');

const typescript = createTransformer({ ...swcrc, swcrc: false });
const esm = createTransformer({
  swcrc: false,
  sourceMaps: 'inline',
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' },
  module: { type: 'commonjs' },
});

module.exports = {
  process(source, filename, options) {
    if (filename.endsWith('.ts')) return typescript.process(source, filename, options);
    const patched = source
      .replace(/const require = createRequire\(import\.meta\.url\);?/g, '')
      .replace(/\bimport\.meta\.url\b/g, 'require("node:url").pathToFileURL(__filename).href');
    return esm.process(patched, filename, options);
  },
  getCacheKey(source, filename, options) {
    return (filename.endsWith('.ts') ? typescript : esm).getCacheKey(source, filename, options) + ':v2';
  },
};
