// Changes global settings, so it runs alone, after every other test (see playwright.config.ts).
import { test, expect, DEMO, apiCreateTicket, apiToken, gotoHydrated, signIn, uniqueEmail, uniqueTitle } from "./helpers";

test("with maxTicketsPerAgent set to 1 a second ticket cannot go to the same agent", async ({ page, request }) => {
  const superToken = await apiToken(request, DEMO.superadmin.email, DEMO.superadmin.password);
  const auth = { Authorization: `Bearer ${superToken}` };
  const agentEmail = uniqueEmail("capped-agent");
  const created = await request.post("/api/superadmin/users", {
    headers: auth,
    data: { name: "Capped Agent", email: agentEmail, password: "capped-password", role: "agent" },
  });
  expect(created.status()).toBe(201);
  const userToken = await apiToken(request, DEMO.user.email, DEMO.user.password);
  const first = await apiCreateTicket(request, userToken, uniqueTitle("Cap one"));
  const second = await apiCreateTicket(request, userToken, uniqueTitle("Cap two"));

  try {
    await signIn(page, DEMO.superadmin.email, DEMO.superadmin.password);
    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await page.getByLabel("Max open tickets per agent").fill("0");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.locator("#field-max_tickets_per_agent-error")).toContainText("from 1 to 1000");
    await page.getByLabel("Max open tickets per agent").fill("1");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Settings saved" })).toBeVisible();

    for (const [id, outcome] of [[first, "ok"], [second, "refused"]] as const) {
      await gotoHydrated(page, `/tickets/${id}`);
      const option = page.locator("#field-agent_id option", { hasText: "Capped Agent" }).first();
      await page.locator("#field-agent_id").selectOption((await option.getAttribute("value"))!);
      await page.getByRole("button", { name: "Assign", exact: true }).click();
      if (outcome === "ok") {
        await expect(page.locator("[data-testid=ticket-facts]")).toContainText("Capped Agent");
      } else {
        await expect(page.getByRole("alert").filter({ hasText: "the most one agent may hold (1)" })).toBeVisible();
      }
    }
    await gotoHydrated(page, "/superadmin/audit?action=settings-changed");
    await expect(page.getByTestId("audit-table")).toContainText("max tickets per agent 1");
  } finally {
    const restore = await request.put("/api/superadmin/settings", { headers: auth, data: { maxTicketsPerAgent: 100 } });
    expect(restore.status()).toBe(200);
  }
});
