import { readFileSync } from 'node:fs';

/** The generator's own version, as published; it is part of every banner. */
export const GENERATOR_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
