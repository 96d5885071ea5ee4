import { type Page } from "@playwright/test";
import fs from "node:fs";
import {
  test, expect, DEMO, apiCreateTicket, apiToken, gotoHydrated, register, signIn, uniqueEmail, uniqueTitle,
} from "./helpers";

/** Picks the agent whose option text starts with `name` in the ticket page's Agent select. */
async function selectAgent(page: Page, name: string) {
  const option = page.locator("#field-agent_id option", { hasText: name }).first();
  await page.locator("#field-agent_id").selectOption((await option.getAttribute("value"))!);
}

async function newUserTicket(page: Page, request: import("@playwright/test").APIRequestContext, prefix: string) {
  const email = uniqueEmail(prefix.toLowerCase().replace(/\s+/g, "-"));
  await register(page, "Queue Person", email, "queue-password");
  const token = await apiToken(request, email, "queue-password");
  const title = uniqueTitle(prefix);
  return { id: await apiCreateTicket(request, token, title), title };
}

test("the admin assigns a ticket, the agent then sees it, and a second assignment is refused with the reason", async ({ browser, request }) => {
  const requester = await browser.newPage();
  const { id, title } = await newUserTicket(requester, request, "Assign me");

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin.email, DEMO.admin.password);
  await expect(admin).toHaveURL(/\/admin$/);
  const otherAdminContext = await browser.newContext();
  // The other admin's page hears nothing of the first assignment (its event stream cannot
  // connect): its own assignment reaches the server, which refuses it with the reason.
  await otherAdminContext.route("**/api/events*", (route) => route.abort());
  const otherAdmin = await otherAdminContext.newPage();
  await signIn(otherAdmin, DEMO.superadmin.email, DEMO.superadmin.password);
  await expect(otherAdmin).toHaveURL(/\/superadmin$/);

  // Both admins open the unassigned ticket.
  await gotoHydrated(admin, `/tickets/${id}`);
  await gotoHydrated(otherAdmin, `/tickets/${id}`);
  // Both are choosing an agent at once: the other admin's live page keeps the form it is
  // filling in, and the server refuses the second assignment.
  await selectAgent(otherAdmin, "Agent John");
  await selectAgent(admin, "Agent John");
  await admin.getByRole("button", { name: "Assign", exact: true }).click();
  await expect(admin.locator("[data-testid=ticket-facts]")).toContainText("Agent John");
  await expect(admin.getByTestId("timeline")).toContainText("assigned the ticket to Agent John");

  await otherAdmin.getByRole("button", { name: "Assign", exact: true }).click();
  await expect(otherAdmin.getByRole("alert").filter({ hasText: "already assigned to Agent John" })).toBeVisible();

  const agent = await browser.newPage();
  await signIn(agent, DEMO.agent.email, DEMO.agent.password);
  await agent.getByRole("link", { name: "Assigned tickets" }).click();
  await expect(agent.getByRole("link", { name: title })).toBeVisible();
  await adminContext.close();
  await otherAdminContext.close();
});

test("bulk assignment and the least-loaded choice from the all-tickets list", async ({ page, request, browser }) => {
  const requester = await browser.newPage();
  const first = await newUserTicket(requester, request, "Bulk one");
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await page.getByRole("link", { name: "All tickets" }).click();
  await page.getByLabel("Search").fill(first.title);
  await page.getByLabel("Unassigned only").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("result-count")).toHaveText("Showing 1–1 of 1 tickets");
  await page.getByLabel(`Select ticket #${first.id}`).check();
  await page.getByLabel("Assign selected tickets to").selectOption("least-loaded");
  await page.getByRole("button", { name: "Assign selected" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Assigned 1 of 1 selected tickets." })).toBeVisible();
  await expect(page.getByTestId("result-count")).toHaveText("No tickets match.");
});

test("reports show the charts, and the CSV download matches the filtered table", async ({ page }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await page.getByRole("link", { name: "Reports" }).click();
  for (const id of ["chart-daily", "chart-status", "chart-priority", "chart-category"]) {
    await expect(page.locator(`#${id} svg`)).toBeVisible();
    await expect(page.locator(`#${id} table`)).toHaveCount(1);
  }
  await expect(page.getByTestId("sla-compliance")).not.toBeEmpty();
  const reportDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download report (CSV)" }).click();
  const reportCsv = fs.readFileSync(await (await reportDownload).path(), "utf8");
  expect(reportCsv.split("\r\n")[0]).toBe("section,key,value,extra");

  await gotoHydrated(page, "/admin/tickets?priority=high&sort=oldest");
  await expect(page.locator("table.tickets tbody tr").first()).toBeVisible();
  const shown = await page.locator("table.tickets tbody tr td:nth-child(2)").allTextContents();
  expect(shown.length).toBeGreaterThan(0);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const csv = fs.readFileSync(await (await download).path(), "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0].split(",")[0]).toBe("id");
  const ids = lines.slice(1).map((l) => l.split(",")[0]);
  expect(ids.slice(0, shown.length)).toEqual(shown.map((s) => s.trim()));
  expect(lines.slice(1).every((l) => l.includes(",high,"))).toBe(true);
});

test("the super admin creates an agent who can sign in; a deactivated user cannot; the audit log shows it", async ({ browser }) => {
  const admin = await browser.newPage();
  await signIn(admin, DEMO.superadmin.email, DEMO.superadmin.password);
  await admin.getByRole("link", { name: "Users", exact: true }).click();
  await expect(admin.locator("body[data-hydrated]")).toHaveCount(1);
  const agentEmail = uniqueEmail("new-agent");
  await admin.getByLabel("Full name").fill("Nadia Agent");
  await admin.getByLabel("Email").fill(agentEmail);
  await admin.getByLabel("Initial password").fill("nadia-password");
  await admin.locator("#field-role").selectOption("agent");
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status").filter({ hasText: `Created Nadia Agent (${agentEmail}) as Agent.` })).toBeVisible();

  const agent = await browser.newPage();
  await signIn(agent, agentEmail, "nadia-password");
  await expect(agent).toHaveURL(/\/agent$/);
  await expect(agent.getByTestId("user-name")).toHaveText("Nadia Agent");

  // Deactivate a fresh user, who then cannot sign in.
  const person = await browser.newPage();
  const userEmail = uniqueEmail("deactivate");
  await register(person, "Soon Inactive", userEmail, "inactive-pass");
  await gotoHydrated(admin, `/superadmin/users?q=${encodeURIComponent(userEmail)}`);
  await admin.getByRole("link", { name: "Soon Inactive" }).click();
  await expect(admin.locator("body[data-hydrated]")).toHaveCount(1);
  await admin.getByLabel("Active (can sign in)").uncheck();
  await admin.getByRole("button", { name: "Save changes" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Changes saved." })).toBeVisible();

  await person.context().clearCookies();
  await signIn(person, userEmail, "inactive-pass");
  await expect(person.getByRole("alert").filter({ hasText: "deactivated" })).toBeVisible();
  await expect(person).toHaveURL(/\/login/);

  await gotoHydrated(admin, `/superadmin/audit?q=${encodeURIComponent(agentEmail)}`);
  const table = admin.getByTestId("audit-table");
  await expect(table.locator("tr", { hasText: "user-created" })).toContainText(DEMO.superadmin.email);
  await expect(table.locator("tr", { hasText: "sign-in" }).first()).toContainText(agentEmail);

  await gotoHydrated(admin, `/superadmin/audit?q=${encodeURIComponent(userEmail)}`);
  await expect(table.locator("tr", { hasText: "deactivated" }).first()).toBeVisible();
  await expect(table.locator("tr", { hasText: "sign-in-failed" })).toContainText("account deactivated");
  await admin.getByLabel("Action").selectOption("deactivated");
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin).toHaveURL(/action=deactivated/);
  await expect(admin.getByRole("status")).toHaveText("1 entries");
});

test("a user cannot open admin pages", async ({ page }) => {
  await signIn(page, DEMO.jane.email, DEMO.jane.password);
  await expect(page).toHaveURL(/\/user$/);
  for (const path of ["/admin/tickets", "/admin/reports", "/superadmin/users", "/superadmin/settings", "/superadmin/audit"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
  }
});

test("the navigation marks the page shown, also after moving in the browser", async ({ page }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await nav.getByRole("link", { name: "Reports" }).click();
  await expect(page).toHaveURL(/\/admin\/reports$/);
  await expect(nav.getByRole("link", { name: "Reports" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current", /.*/);
  await page.goBack();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
});
