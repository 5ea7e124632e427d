#!/usr/bin/env node
// The `strongroom` command: bin/strongroom-cli.ts run through tsx's CommonJS loader, so that nothing needs
// building between `npm ci` and a responder typing `npx strongroom`.
require('tsx/cjs');
require('./strongroom-cli.ts');
