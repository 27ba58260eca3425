import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// The suite runs the real `roster` binary built by `cargo leptos build`, on a
// fresh SQLite file, at a port of its own.
const port = Number(process.env.ROSTER_E2E_PORT ?? 3300);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = path.join(os.tmpdir(), `roster-e2e-${process.pid}`);
const repo = path.resolve(__dirname, "..");
const binary = path.resolve(repo, process.env.ROSTER_E2E_BINARY ?? "target/debug/roster");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // Runs in its own folder, so a developer's .env is not picked up.
    command: `rm -rf "${dataDir}" && mkdir -p "${dataDir}" && cd "${dataDir}" && "${binary}" migrate && exec "${binary}" serve`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dataDir}/roster.db?mode=rwc`,
      ROSTER_OUTBOX_DIR: `${dataDir}/outbox`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
      LEPTOS_OUTPUT_NAME: "roster",
      RUST_LOG: "warn",
    },
  },
});
