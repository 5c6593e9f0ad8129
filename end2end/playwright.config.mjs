// Browser tests run against a real Tongbu server built by `cargo leptos build`,
// on a fresh SQLite database in a temporary folder, driving the system's
// Chromium (Playwright's own browser downloads are not used).
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = process.env.TONGBU_E2E_PORT || '3100';
const dataDir = mkdtempSync(join(tmpdir(), 'tongbu-e2e-'));
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'target/debug/tongbu serve',
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      TONGBU_ADDR: `127.0.0.1:${port}`,
      TONGBU_DATA_DIR: dataDir,
      TONGBU_DATABASE_URL: `sqlite://${join(dataDir, 'tongbu.db')}`,
      TONGBU_SITE_ROOT: 'target/site',
      TONGBU_LOG: 'warn',
      TONGBU_DEMO: '1',
      // Reach snapshots 5 s and 24 min after publishing (the demo's emulator
      // clock runs 60× faster than this schedule says): within a run every
      // published post has exactly one, so a page and its CSV read the same.
      TONGBU_METRICS_SCHEDULE: '5m,24h',
      TONGBU_METRICS_WEEKLY_UNTIL_DAYS: '0',
    },
  },
});
