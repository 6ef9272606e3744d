// An import resolver (eslint-module-utils interface version 2) for the layer lint: a relative import
// of `x.js` in TypeScript source names `x.ts` (NodeNext), which the node resolver does not know.
'use strict';
const { existsSync } = require('node:fs');
const { dirname, resolve } = require('node:path');

exports.interfaceVersion = 2;

exports.resolve = function resolveImport(source, file) {
  if (!source.startsWith('.')) return { found: false };
  const target = resolve(dirname(file), source);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target]) {
    if (existsSync(candidate)) return { found: true, path: candidate };
  }
  return { found: false };
};
