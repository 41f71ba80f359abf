import { defineConfig } from 'vitest/config'

// Two projects: `unit` runs in-process (engine, ops, steps, every renderer and its goldens, the
// modes through main()), for a fast inner loop (`npm run test:unit`); `e2e` spawns the built bin,
// checks the README's samples and fuzzes the command line. `npm test` runs both.
const E2E = [
  'test/cli.test.ts',
  'test/robustness.test.ts',
  'test/readme.test.ts',
  'test/bench.test.ts',
  'test/html.test.ts',
  'test/playground.test.ts',
  'test/package.test.ts',
  'test/latex.test.ts',
]

export default defineConfig({
  test: {
    projects: [
      // In-process tests share nothing between files, so one module graph serves them all (isolate: false).
      { test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E, isolate: false } },
      // Spawned end-to-end runs of the bin take a second or two on a loaded 2-core machine.
      { test: { name: 'e2e', include: E2E, testTimeout: 30_000 } },
    ],
  },
})
