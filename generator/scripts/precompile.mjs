// Build step after tsc: compiles the spec schema (ajv standalone code) and every Handlebars
// template ahead of time into dist/precompiled/, so a generator run loads code instead of
// compiling it. Each compiled item carries the hash of its source, and the generator falls back
// to compiling at run time when the source in use differs (src/validate/schema.ts,
// src/emit/core/templates.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { precompileSchema, schemaPath } from '../dist/validate/schema.js';
import { precompileTemplates } from '../dist/emit/core/templates.js';

const out = new URL('../dist/precompiled/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('spec-schema.cjs', out), precompileSchema(readFileSync(schemaPath, 'utf8')));
writeFileSync(new URL('templates.cjs', out), precompileTemplates());
