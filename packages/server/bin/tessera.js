#!/usr/bin/env node
// Runs the JavaScript that `npm install` builds from src/ (the `prepare` script): no compiler at run time,
// and one bundle, so that every command starts fast (scripts/bundle.js says why).
//
// CommonJS on purpose (./package.json): access tokens are signed on libuv's thread pool
// (src/oauth/jws-sign.ts), whose size is read once, when it is first used, and Node's ESM loader uses it
// to read an ES module entry before that module's first line runs. Here the pool is still unused: its size
// is TESSERA_SIGNING_THREADS (checked with the other settings, src/config.ts) or one thread per core, at
// least 2; an operator's own UV_THREADPOOL_SIZE wins.
'use strict';
const { availableParallelism } = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= process.env.TESSERA_SIGNING_THREADS || String(Math.max(2, availableParallelism()));

import('../dist/bundle/cli.js').then(({ main }) => main(process.argv));
