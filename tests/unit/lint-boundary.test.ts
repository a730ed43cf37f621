import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

// The runtime boundary is a lint rule; these cases prove the rule fires where it must and only there.
// The cases are virtual files outside every tsconfig, so the type-aware rules (which need a program) are off here.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/await-thenable': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('runtime boundary lint rule', () => {
  it.each([
    ['src/shared/x.ts', "import fs from 'node:fs';"],
    ['src/shared/x.ts', "import { createHash } from 'crypto';"],
    ['src/liveness/x.ts', "import ort from 'onnxruntime-node';"],
    ['src/liveness/x.ts', "import Database from 'better-sqlite3';"],
    ['src/liveness/x.ts', "import { createEngine } from '../node/engine/index';"],
    ['src/renderer/x.tsx', "import { ipcRenderer } from 'electron';"],
    ['src/renderer/x.tsx', "import { openStore } from '../node/store/store';"],
    ['src/shared/x.ts', "import { createServer } from '../server/app';"],
    ['src/node/engine/x.ts', "import { app } from 'electron';"],
    ['src/node/store/x.ts', "import { safeStorage } from 'electron';"],
    ['src/server/x.ts', "import { app } from 'electron';"],
    ['src/build/x.ts', "import { app } from 'electron';"],
    ['src/testkit/x.ts', "import { app } from 'electron';"],
    ['src/console/x.tsx', "import { createServer } from '../server/app';"],
    ['src/web/x.tsx', "import { createServer } from '../server/app';"],
    ['src/web/x.ts', "import fs from 'node:fs';"],
  ])('refuses the import in %s: %s', async (filePath, code) => {
    expect(await boundaryErrors(filePath, `${code}\nexport {};\n`)).toHaveLength(1);
  });

  it.each([
    ['src/node/engine/x.ts', "import fs from 'node:fs';"],
    ['src/main/window.ts', "import { BrowserWindow } from 'electron';"],
    ['src/renderer/x.tsx', "import { planFlash } from '../liveness/flash';"],
    ['src/preload/index.ts', "import { contextBridge } from 'electron';"],
    ['src/shared/x.ts', "import { z } from 'zod';"],
  ])('allows the import in %s: %s', async (filePath, code) => {
    expect(await boundaryErrors(filePath, `${code}\nexport {};\n`)).toHaveLength(0);
  });
});
