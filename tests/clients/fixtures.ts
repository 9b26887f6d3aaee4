/**
 * Config files "full of the user's own keys and comments", one per tool, and a temporary home
 * where the tools would look for them (HOME, ROTARY_HOME; XDG_CONFIG_HOME for opencode).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SetupToolID } from '../../shared/ipc.js';

export const USER_CONFIGS: Record<SetupToolID, { relative: string; text: string }> = {
  'claude-code': {
    relative: '.claude/settings.json',
    text: `{
    "model": "opus",
    "permissions": {
        "allow": ["Bash(npm test)", "Read(~/notes/**)"],
        "deny": []
    },
    "env": {
        "MY_PROJECT_FLAG": "1",
        "CLAUDE_CODE_MAX_RETRIES": "0",
        "DISABLE_AUTOUPDATER": "1"
    },
    "statusLine": { "type": "command", "command": "echo mine" }
}
`,
  },
  codex: {
    relative: '.codex/config.toml',
    text: `# My Codex settings — keep these comments!
model = "gpt-5-codex"   # the model I like
model_provider = "openai"
approval_policy = "never"
developer_instructions = """
A multi-line string with a [fake.table] inside.
"""

# Projects I trust
[projects."/home/me/src"]
trust_level = "trusted"

[model_providers.work]
name = "Work proxy"
base_url = "https://proxy.example.invalid/v1"
env_key = "WORK_KEY"
`,
  },
  opencode: {
    relative: '.config/opencode/opencode.jsonc',
    text: `{
  // My opencode config: comments and trailing commas are fine in JSONC.
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight",
  "autoupdate": false, // no surprises
  "provider": {
    "openai": {
      "options": { "timeout": 600000 }, // my own option
    },
  },
  "share": "disabled",
}
`,
  },
};

/** What a tool could not parse: broken JSON, broken JSONC, broken TOML. */
export const BROKEN_CONFIGS: Record<SetupToolID, string> = {
  'claude-code': '{\n  "model": "opus",\n  "env": { "A": "1" \n}\n',
  codex: 'model = "gpt-5"\n[projects\ntrust_level = "trusted"\n',
  opencode: '{\n  // fine so far\n  "theme": "dark"\n  "share": "disabled"\n}\n',
};

export interface ToolHome {
  /** Plays HOME for the tools. */
  home: string;
  /** ROTARY_HOME. */
  rotaryHome: string;
  env: NodeJS.ProcessEnv;
  file(tool: SetupToolID): string;
  write(tool: SetupToolID, text: string): string;
  read(tool: SetupToolID): string;
  cleanup(): void;
}

export function makeToolHome(): ToolHome {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-tools-'));
  const home = path.join(root, 'home');
  const rotaryHome = path.join(root, 'rotary');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(rotaryHome, { recursive: true });
  const file = (tool: SetupToolID) => path.join(home, USER_CONFIGS[tool].relative);
  return {
    home,
    rotaryHome,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ROTARY_HOME: rotaryHome },
    file,
    write(tool, text) {
      fs.mkdirSync(path.dirname(file(tool)), { recursive: true });
      fs.writeFileSync(file(tool), text);
      return file(tool);
    },
    read: (tool) => fs.readFileSync(file(tool), 'utf8'),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
