/**
 * The packaging config (electron-builder.yml): every Electron fuse Rotary relies on is set to
 * the safe value, ASAR integrity is on, unsigned builds stay possible, and electron-builder's
 * own schema validator (the installed app-builder-lib, a dependency of electron-builder)
 * accepts the file. The packaged binary cannot be built or run here, so the config is what is
 * checked.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const require = createRequire(path.join(ROOT, 'package.json'));

/** The fuses and their required values (issue 17; Electron's security guide). */
const REQUIRED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;

type BuilderConfig = Record<string, unknown> & { electronFuses?: Record<string, unknown> };

function readConfig(): BuilderConfig {
  return parse(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

/** Every way `config` falls short of the required fuses, in words. */
function fuseProblems(config: BuilderConfig): string[] {
  const fuses = config.electronFuses;
  if (!fuses || typeof fuses !== 'object') return ['electronFuses is missing'];
  return Object.entries(REQUIRED_FUSES).flatMap(([name, value]) =>
    !(name in fuses) ? [`${name} is missing`] : fuses[name] !== value ? [`${name} is ${JSON.stringify(fuses[name])}, must be ${value}`] : [],
  );
}

describe('electron-builder.yml', () => {
  it('flips every fuse to its safe value', () => {
    expect(fuseProblems(readConfig())).toEqual([]);
  });

  it('the check fails when a fuse is missing or wrong', () => {
    const config = readConfig();
    const { runAsNode: _drop, ...withoutRunAsNode } = config.electronFuses!;
    expect(fuseProblems({ ...config, electronFuses: withoutRunAsNode })).toEqual(['runAsNode is missing']);
    expect(fuseProblems({ ...config, electronFuses: { ...config.electronFuses, onlyLoadAppFromAsar: false } })).toEqual(['onlyLoadAppFromAsar is false, must be true']);
    expect(fuseProblems({ ...config, electronFuses: { ...config.electronFuses, enableCookieEncryption: 'yes' } })).toEqual(['enableCookieEncryption is "yes", must be true']);
    expect(fuseProblems({ ...config, electronFuses: undefined })).toEqual(['electronFuses is missing']);
  });

  it('uses only fuses the installed electron-builder knows (so none is silently dropped)', () => {
    const scheme = require('app-builder-lib/scheme.json') as { definitions: Record<string, { properties: Record<string, unknown> }> };
    const known = Object.keys(scheme.definitions.FuseOptionsV1!.properties);
    for (const name of Object.keys(readConfig().electronFuses!)) expect(known, name).toContain(name);
    for (const name of Object.keys(REQUIRED_FUSES)) expect(known, name).toContain(name);
  });

  it('packs the app as an asar archive with integrity recorded, keytar unpacked', () => {
    const config = readConfig();
    expect(config.asar).toBe(true);
    expect(config.disableAsarIntegrity).not.toBe(true);
    expect(config.asarUnpack).toEqual(['**/node_modules/keytar/**']);
  });

  it('signs nothing it cannot: no identity hard-coded, an unsigned build does not fail', () => {
    const config = readConfig();
    expect(config.forceCodeSigning).toBe(false);
    for (const platform of ['mac', 'win', 'linux'] as const) {
      const options = (config[platform] ?? {}) as Record<string, unknown>;
      expect(options.identity, platform).toBeUndefined();
      expect(options.certificateFile, platform).toBeUndefined();
    }
  });

  it("passes electron-builder's own configuration validator", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const config = readConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // And it would catch a misspelt fuse.
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object/);
  });
});
