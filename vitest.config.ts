import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per nx project, so `vitest run --project <name>` is each project's test target
// and `vitest run` at the root is the whole suite.
const projectDirs = ['apps', 'libs', 'tools'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(`${group}/${entry.name}/project.json`))
        .map((entry) => `${group}/${entry.name}`)
    : [],
);

export default defineConfig({
  test: {
    projects: projectDirs.map((dir) => {
      const setupFile = `${dir}/src/test-setup/global-setup.ts`;
      return {
        extends: false,
        test: {
          name: dir.split('/')[1]!,
          root: dir,
          include: ['src/**/*.spec.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          globalSetup: existsSync(setupFile) ? ['src/test-setup/global-setup.ts'] : [],
        },
      };
    }),
    maxWorkers: 2,
    reporters: ['default'],
  },
});
