/**
 * The argv that runs `rotary key` with this very installation, written into the tools'
 * helper settings: the Node running the CLI and the package's `bin/rotary.mjs`, so the tools
 * find it even when `rotary` is not on their PATH. Without a package folder (an unusual
 * bundle), the `rotary` command from PATH.
 */
import path from 'node:path';
import { GENERIC_KEY_COMMAND } from '../core/clients/registry.js';
import { packageInfo } from './package-root.js';

export function rotaryKeyCommand(): readonly string[] {
  const root = packageInfo()?.root;
  return root ? [process.execPath, path.join(root, 'bin', 'rotary.mjs'), 'key'] : GENERIC_KEY_COMMAND;
}
