#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (no build step), like every other entry point of the repo.
require('@swc-node/register');
require('../src/main.ts');
