/**
 * `mvdevice <command> …`: a small dispatcher. Each command lives in its own module, loaded
 * only when asked for, and returns its exit code. A UsageError anywhere becomes one line
 * plus the usage and exit code 2; other errors one line and exit code 1 (the stack only
 * with MVDEVICE_DEBUG=1).
 */
import { UsageError } from './usage.js';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** Add a command here: name → summary and a lazily imported runner. */
const COMMANDS: Record<string, Command> = {
  fleet: {
    summary: 'run N emulated devices against a broker, with a live summary and a final report',
    run: async (argv) => (await import('./fleet/command.js')).fleetCommand(argv),
  },
  run: {
    summary: 'run a host firmware build (C, mvmqtt_add_host_firmware) against the emulated device core',
    run: async (argv) => (await import('./run.js')).runCommand(argv),
  },
  control: {
    summary: 'send a command (network down/up, broker down/up, status) to `mvdevice run --control PATH`',
    run: async (argv) => (await import('./control.js')).controlClientCommand(argv),
  },
};

export const USAGE = `usage: mvdevice <command> [options]    (mvdevice <command> --help for its options)

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`mvdevice: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`mvdevice ${name}: ${err.message}\n(mvdevice ${name} --help for the options)`);
      return 2;
    }
    console.error(`mvdevice ${name}: ${(err as Error)?.message ?? String(err)}`);
    if (process.env.MVDEVICE_DEBUG === '1') console.error((err as Error)?.stack);
    return 1;
  }
}
