/** Jest runs TypeScript through ts-jest; Temporal tests need one process (`--runInBand`) and long timeouts. */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.js',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-runtime.ts'],
  testTimeout: 60_000,
  // The Temporal runtime keeps native handles alive between files; do not let that hang the run.
  forceExit: true,
};
