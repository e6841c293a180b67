#!/usr/bin/env node
// Runs the JavaScript that `npm install` builds from src/ (the `prepare` script): no compiler at run time.
import { main } from '../dist/cli.js';

await main(process.argv);
