#!/usr/bin/env node
// Runs the JavaScript that `npm install` builds from src/ (the `prepare` script): no compiler at run time,
// and one bundle, so that every command starts fast (scripts/bundle.js says why).
//
// CommonJS on purpose (./package.json): access tokens are signed on libuv's thread pool
// (src/tokens/jws-sign.ts), whose size is read once, when it is first used, and Node's ESM loader uses it
// to read an ES module entry before that module's first line runs. Here the pool is still unused: its size
// is TESSERA_SIGNING_THREADS (or one thread per core, at least 2) plus TESSERA_PASSWORD_HASHES (or half the
// cores, at least 1), the portal's password hashes that may run at once (src/accounts/passwords.ts), so
// that hashes never hold the threads that sign. Both are checked with the other settings (src/config/config.ts),
// which stop start-up on a bad value; an operator's own UV_THREADPOOL_SIZE wins.
'use strict';
const { availableParallelism } = require('node:os');

const setting = (raw, fallback) => (/^\d+$/.test(raw ?? '') ? Number(raw) : fallback);
const signing = setting(process.env.TESSERA_SIGNING_THREADS, Math.max(2, availableParallelism()));
const hashes = setting(process.env.TESSERA_PASSWORD_HASHES, Math.max(1, Math.floor(availableParallelism() / 2)));
process.env.UV_THREADPOOL_SIZE ??= String(signing + hashes);

import('../dist/bundle/cli.js').then(({ main }) => main(process.argv));
