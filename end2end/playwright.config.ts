import { defineConfig, devices } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import { E2E_PASSWORD } from "./tests/support";

// The suite runs the real `roster` binary built by `cargo leptos build
// --release` (what ./scripts/run.sh serves), on a fresh SQLite file, at a
// port of its own.
const port = Number(process.env.ROSTER_E2E_PORT ?? 3300);
const baseURL = `http://127.0.0.1:${port}`;
// Fixed once in the runner and inherited by its workers, which read the
// outbox (email written as .eml files) from it.
const dataDir = (process.env.ROSTER_E2E_DATA ??= path.join(os.tmpdir(), `roster-e2e-${process.pid}`));
const repo = path.resolve(__dirname, "..");
const binary = path.resolve(repo, process.env.ROSTER_E2E_BINARY ?? "target/release/roster");

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
    // The accounts the tests sign in with are made the way an operator would:
    // with `create-admin` and `create-user`.
    command: [
      `rm -rf "${dataDir}" && mkdir -p "${dataDir}" && cd "${dataDir}"`,
      `"${binary}" migrate`,
      `"${binary}" create-admin --username admin --email admin@example.com --name "Ada Admin"`,
      `"${binary}" create-user --username plain --email plain@example.com --name "Pat Plain" --role User`,
      `"${binary}" create-user --username newcomer --email newcomer@example.com --name "Nia Newcomer" --role Viewer --temporary`,
      `"${binary}" create-user --username lena --email lena@example.com --name "Lena Lock" --role User`,
      `"${binary}" create-user --username finn --email finn@example.com --name "Finn Fjord" --role User`,
      `"${binary}" create-user --username mia --email mia@example.com --name "Mia Message" --role User`,
      `"${binary}" create-user --username rita --email rita@example.com --name "Rita Reset" --role User`,
      `"${binary}" create-user --username olga --email olga@example.com --name "Olga Auditor" --role User`,
      `"${binary}" create-user --username umi --email umi@example.com --name "Umi Manager" --role "User Manager"`,
      `"${binary}" create-user --username owlone --email owlone@example.com --name "Oscar Owl" --role User`,
      `"${binary}" create-user --username owltwo --email owltwo@example.com --name "Ophelia Owl" --role User`,
      `"${binary}" create-user --username audrey --email audrey@example.com --name "Audrey Audit" --role User`,
      `"${binary}" create-user --username imogen --email imogen@example.com --name "Imogen Impersonated" --role Support`,
      `"${binary}" create-user --username kit --email kit@example.com --name "Kit Kestrel" --role User`,
      `"${binary}" create-user --username jade --email jade@example.com --name "Jade Jumble" --role User`,
      `"${binary}" create-user --username keyone --email keyone@example.com --name "Kay Keyboard" --role User`,
      `"${binary}" create-user --username keytwo --email keytwo@example.com --name "Kev Keyboard" --role User`,
      `"${binary}" create-user --username nojs --email nojs@example.com --name "Noah Noscript" --role User`,
      `"${binary}" seed-demo --users 120`,
      `exec "${binary}" serve`,
    ].join(" && "),
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
      // The component gallery (/dev/components) is tested too.
      ROSTER_DEV_PAGES: "on",
      ROSTER_PASSWORD: E2E_PASSWORD,
      // The suite signs in more often than a person would.
      ROSTER_SIGNIN_RATE_LIMIT: "1000",
    },
  },
});
