import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';

/** What a command reads and writes: the process's streams in the CLI, captures in tests. */
export interface CliIo {
  /** Writes `text` to stdout as is (add the newline). */
  readonly out: (text: string) => void;
  /** Writes `text` to stderr as is. */
  readonly err: (text: string) => void;
  /** The stream the progress bar draws on (stderr); drawn only when it is a terminal. */
  readonly progressStream: NodeJS.WriteStream;
  readonly stdinIsTTY: boolean;
  /** Asks on stderr, reads one line from stdin; null when stdin ends first. */
  readonly prompt: (question: string) => Promise<string | null>;
  readonly now: () => Date;
  readonly env: NodeJS.ProcessEnv;
  /** What to say if the responder presses Ctrl-C from now on (the command knows where it got to). */
  readonly onInterrupt: (message: () => string) => void;
}

export function processIo(): CliIo & { interruptMessage: () => string } {
  let interruptMessage = () => 'interrupted';
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progressStream: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    prompt: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
        let answered = false;
        rl.question(question, (answer) => {
          answered = true;
          rl.close();
          resolve(answer);
        });
        // Ctrl-C at the prompt (the terminal is in raw mode: no SIGINT reaches the process) is a "no".
        rl.on('SIGINT', () => rl.close());
        rl.on('close', () => {
          if (!answered) resolve(null);
        });
      }),
    now: () => new Date(),
    env: process.env,
    onInterrupt: (message) => {
      interruptMessage = message;
    },
    interruptMessage: () => interruptMessage(),
  };
}

/** An io that keeps what is written (no terminal: no prompt, no progress bar): for running the CLI in-process. */
export function capturedIo(now: () => Date = () => new Date()): CliIo & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    progressStream: Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream,
    stdinIsTTY: false,
    prompt: async () => null,
    now,
    env: {},
    onInterrupt: () => undefined,
  };
}
