#!/usr/bin/env node
'use strict';
// The package's command. The TypeScript sources are compiled to dist/ by `npm run build` (run by `npm ci`
// through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('maspo: not built yet; run `npm run build` (or `npm ci`) in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(entry);
