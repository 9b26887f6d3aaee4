// Rewrites the README's generated per-tool sections from electron/core/clients (`npm run docs:settings`).
import fs from 'node:fs';
import path from 'node:path';
import { renderReadme } from '../electron/core/clients/readme.js';

const file = path.resolve(import.meta.dirname, '..', 'README.md');
const before = fs.readFileSync(file, 'utf8');
const after = renderReadme(before);
if (after !== before) fs.writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md: the generated sections are up to date.\n' : 'README.md: generated sections rewritten.\n');
