import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const E2E_PORT = 3100;

/**
 * Every test's page runs under the app's Content-Security-Policy, and a test fails if the
 * browser reports any violation of it (a script without the page's nonce, say).
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
    });
    await use(page);
    expect(violations, "Content-Security-Policy violations reported by the browser").toEqual([]);
  },
});
export { expect };
/** Where the server under test writes mail (no SMTP server in tests). */
export const OUTBOX_DIR = path.resolve(__dirname, "..", ".outbox");
/** The secret the test server takes mail with (`POST /api/mail/inbound`). */
export const INBOUND_SECRET = "e2e-inbound-secret-0123456789abcdef";

export const DEMO = {
  superadmin: { email: "superadmin@gmail.com", password: "superadmin123", name: "Super Admin", home: "/superadmin" },
  admin: { email: "admin@gmail.com", password: "admin123", name: "Admin", home: "/admin" },
  agent: { email: "agent@gmail.com", password: "agent123", name: "Agent John", home: "/agent" },
  user: { email: "user@gmail.com", password: "user123", name: "John Doe", home: "/user" },
  jane: { email: "jane@gmail.com", password: "jane123", name: "Jane Smith", home: "/user" },
};

/** Opens a page and waits until the WASM client has hydrated it. */
export async function gotoHydrated(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

export async function signIn(page: Page, email: string, password: string) {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A fresh address per call, so tests never share accounts and can run in parallel. */
export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export async function register(page: Page, name: string, email: string, password: string) {
  await gotoHydrated(page, "/register");
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/user$/);
}

/** The reset link in the newest mail to `email` (mail is written in the background). */
export async function resetLinkFor(email: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const files = fs.existsSync(OUTBOX_DIR) ? fs.readdirSync(OUTBOX_DIR).filter((f) => f.endsWith(".eml")) : [];
    const mails = files
      .map((f) => path.join(OUTBOX_DIR, f))
      .map((f) => ({ at: fs.statSync(f).mtimeMs, text: fs.readFileSync(f, "utf8") }))
      .filter((m) => m.text.includes(`To: ${email}`))
      .sort((a, b) => b.at - a.at);
    for (const mail of mails) {
      const text = mail.text.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const link = text.match(/https?:\/\/\S+\/reset-password\?token=[0-9a-f]+/);
      if (link) return link[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no reset mail to ${email} in ${OUTBOX_DIR}`);
}

/** Every mail to `email` in the outbox folder, its quoted-printable soft breaks undone. */
export function mailsTo(email: string): string[] {
  const files = fs.existsSync(OUTBOX_DIR) ? fs.readdirSync(OUTBOX_DIR).filter((f) => f.endsWith(".eml")) : [];
  return files
    .map((f) => fs.readFileSync(path.join(OUTBOX_DIR, f), "utf8"))
    .filter((text) => text.includes(`To: ${email}`))
    .map((text) => text.replace(/=\r?\n/g, "").replace(/=3D/g, "="));
}

/** Waits (at most 10 s) until a mail to `email` contains `marker`. */
export async function waitForMailTo(email: string, marker: string) {
  await expect.poll(() => mailsTo(email).filter((m) => m.includes(marker)).length, { timeout: 10_000 }).toBeGreaterThan(0);
}

/** Signs in through the REST API (for setting up data quickly) and returns the token. */
export async function apiToken(request: APIRequestContext, email: string, password: string): Promise<string> {
  const reply = await request.post("/api/auth/login", { data: { email, password } });
  expect(reply.status()).toBe(200);
  return (await reply.json()).token;
}

export async function apiCreateTicket(request: APIRequestContext, token: string, title: string): Promise<number> {
  const reply = await request.post("/api/tickets", {
    headers: { Authorization: `Bearer ${token}` },
    data: { title, description: `Details about: ${title}`, category: "technical", priority: "high" },
  });
  expect(reply.status()).toBe(201);
  return (await reply.json()).ticket.id;
}

/** The admin assigns the ticket to the demo agent. */
export async function apiAssignToDemoAgent(request: APIRequestContext, ticketId: number) {
  const admin = await apiToken(request, DEMO.admin.email, DEMO.admin.password);
  const reply = await request.put(`/api/admin/ticket/${ticketId}/assign`, {
    headers: { Authorization: `Bearer ${admin}` },
    data: { agentId: 3 },
  });
  expect(reply.status()).toBe(200);
}

export function uniqueTitle(prefix: string) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
