#!/usr/bin/env node
'use strict';
// Runs the bundle `npm run build:cli` makes (apps/cli/dist, no TypeScript compiled at start) when it
// is at least as new as every source it was built from; otherwise the TypeScript sources directly.
// TRAILGUARD_CLI_FROM_SOURCE=1 forces the sources.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const bundle = join(__dirname, '..', 'dist', 'trailguard.js');
const SOURCES = ['apps/cli/src', 'libs/sigma/src', 'libs/sigma/rules', 'libs/cloudtrail/src', 'libs/detection/src'];

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCES) {
    try {
      walk(join(root, dir));
    } catch {
      // A tree without the sources (an installed bundle) has nothing newer.
    }
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.TRAILGUARD_CLI_FROM_SOURCE === '1') return false;
  try {
    return statSync(bundle).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  require(bundle);
} else {
  require('@swc-node/register');
  require('../src/main.ts');
}
