/** `mvdevice <command> …`: one bin, one module per subcommand in this folder. */
const COMMANDS: Record<string, () => Promise<{ main(argv: string[]): Promise<number>; summary: string }>> = {
  run: () => import('./run.js'),
};

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const load = command ? COMMANDS[command] : undefined;
  if (!load) {
    const lines = await Promise.all(Object.entries(COMMANDS).map(async ([name, l]) => `  ${name.padEnd(10)} ${(await l()).summary}`));
    const stream = command && command !== '--help' && command !== '-h' ? process.stderr : process.stdout;
    if (command && stream === process.stderr) stream.write(`mvdevice: unknown command "${command}"\n`);
    stream.write(`usage: mvdevice <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
    return stream === process.stderr ? 2 : 0;
  }
  return (await load()).main(rest);
}

process.exitCode = await dispatch(process.argv.slice(2));
