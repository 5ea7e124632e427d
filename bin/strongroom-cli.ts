/**
 * The `strongroom` command (cli/main.ts does the work): the process's streams, the exit code, Ctrl-C.
 * Run through bin/strongroom-cli.js (npx strongroom, npm run strongroom --) or `npx tsx bin/strongroom-cli.ts`.
 */

// The SDK's notice about a future Node requirement says nothing to a responder; an explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { EXIT } from '../cli/exit-codes';
import { processIo } from '../cli/io';
import { main } from '../cli/main';

const io = processIo();
// Output piped into `head` that stops reading: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}
process.once('SIGINT', () => {
  process.stderr.write(`\nstrongroom: ${io.interruptMessage()}\n`);
  process.exit(EXIT.aborted);
});
main(process.argv.slice(2), { io }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('strongroom: failed unexpectedly:', error);
    process.exitCode = EXIT.failure;
  },
);
