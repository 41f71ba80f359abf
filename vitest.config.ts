import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Spawned end-to-end runs of the bin take a second or two on a loaded 2-core machine.
    testTimeout: 30_000,
  },
})
