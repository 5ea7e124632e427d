// One jest run, five projects: unit and infra and policy need nothing but Node; browser renders the
// HTML report in Debian's headless Chromium; integ talks to the real local S3 (Ceph RGW), which its
// global setup starts once per run.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit'),
    project('infra'),
    project('policy'),
    project('browser'),
    project('integ', {
      globalSetup: '<rootDir>/test/integ/global-setup.ts',
      globalTeardown: '<rootDir>/test/integ/global-teardown.ts',
    }),
  ],
};
