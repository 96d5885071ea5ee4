import { defineConfig, devices } from "@playwright/test";
import { E2E_PORT, INBOUND_SECRET, OUTBOX_DIR } from "./tests/helpers";
import os from "node:os";
import path from "node:path";

// The server binary and the site `cargo leptos build --release` built (scripts/test.sh sets both
// paths: the server the cargo tests built, the release client; the defaults match a release
// build without CARGO_TARGET_DIR).
const root = path.resolve(__dirname, "..");
const serverBinary = process.env.HELPDESK_BIN ?? path.join(root, "target/release/helpdesk");
const siteRoot = process.env.HELPDESK_SITE_ROOT ?? path.join(root, "target/site");
const baseURL = `http://127.0.0.1:${E2E_PORT}`;
// A fresh database file per run: the tests exercise the durable SQLite setup a real install
// uses (WAL, a writer connection and a reader pool), not the in-memory one.
// Workers load this file again: the main process' path is handed down so teardown finds it.
const database = (process.env.HELPDESK_E2E_DATABASE ??= path.join(os.tmpdir(), `helpdesk-e2e-${process.pid}-${Date.now()}.db`));

const launchOptions = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  globalTeardown: "./teardown.ts",
  // Whole flows (sign-ins, several pages, hydration) beside each other on two cores: 30 s was
  // passed by two tests on a slow night, each well under it on other runs.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "setup", testMatch: /global\.setup\.ts$/ },
    {
      name: "chromium",
      testIgnore: /\.serial\.spec\.ts$/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], launchOptions },
    },
    {
      // Tests that change global settings run alone, after all the others.
      name: "serial",
      testMatch: /\.serial\.spec\.ts$/,
      dependencies: ["chromium"],
      use: { ...devices["Desktop Chrome"], launchOptions },
    },
  ],
  webServer: {
    command: `"${serverBinary}"`,
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_ENV: "PROD",
      // cargo-leptos builds it into the server; a server built by plain cargo needs it said.
      LEPTOS_OUTPUT_NAME: "helpdesk",
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_SITE_ADDR: `127.0.0.1:${E2E_PORT}`,
      HELPDESK_ADDR: `127.0.0.1:${E2E_PORT}`,
      HELPDESK_PUBLIC_URL: baseURL,
      HELPDESK_DATABASE_URL: `sqlite://${database}`,
      HELPDESK_DEMO: "true",
      HELPDESK_OUTBOX_DIR: OUTBOX_DIR,
      // The mail server's pipe posts to /api/mail/inbound with this secret (tests/mail.spec.ts).
      HELPDESK_MAIL_INBOUND_SECRET: INBOUND_SECRET,
      // Every test signs in, registers and resets from 127.0.0.1: limits per address would
      // otherwise stop the suite (the cargo tests cover the limits themselves).
      HELPDESK_REQUESTS_PER_IP: "100000",
      HELPDESK_LOGIN_FAILURES_PER_IP: "100000",
      HELPDESK_SIGN_INS_PER_ACCOUNT: "100000",
      RUST_LOG: "warn",
    },
  },
});
