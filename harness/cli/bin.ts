#!/usr/bin/env node
// The `payhil` executable: everything lives in main(); this file only hands over argv and the exit code.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
