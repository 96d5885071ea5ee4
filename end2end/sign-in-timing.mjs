// Time from submitting the sign-in form to each role's dashboard being shown and usable, in
// Debian's Chromium, against a running server with the demo accounts (the release build started
// with HELPDESK_DEMO=true, as BENCHMARKS.md shows). Each run uses a fresh browser profile, so
// nothing is cached but what the sign-in page itself loaded.
//
//   node end2end/sign-in-timing.mjs [http://127.0.0.1:3000] [runs per role, 5]
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const runs = Number(process.argv[3] ?? 5);
const accounts = [
  ["user", "user@gmail.com", "user123", "/user", "John Doe"],
  ["agent", "agent@gmail.com", "agent123", "/agent", "Agent John"],
  ["admin", "admin@gmail.com", "admin123", "/admin", "Admin"],
  ["superadmin", "superadmin@gmail.com", "superadmin123", "/superadmin", "Super Admin"],
];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log("| role | median ms | min ms | max ms |\n|---|---|---|---|");
for (const [role, email, password, home, name] of accounts) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    await page.goto("/login");
    await page.locator("body[data-hydrated]").waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    const start = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === home);
    await page.getByRole("heading", { level: 1, name: `Welcome, ${name}` }).waitFor();
    // Usable: a control of the dashboard answers (the account menu's sign-out button is enabled).
    await page.getByRole("button", { name: "Sign out" }).waitFor({ state: "visible" });
    times.push(performance.now() - start);
    await context.close();
  }
  console.log(`| ${role} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} |`);
}
await browser.close();
