#!/usr/bin/env node
// Runs the JavaScript that `npm install` builds from src/ (the `prepare` script): no compiler at run time,
// and one bundle, so that every command starts fast (scripts/bundle.js says why).
import { main } from '../dist/bundle/cli.js';

await main(process.argv);
