import { type Page } from "@playwright/test";
import {
  test, expect, DEMO, apiAssignToDemoAgent, apiCreateTicket, apiToken, gotoHydrated, register, signIn, uniqueEmail, uniqueTitle,
} from "./helpers";

async function fillNewTicket(page: Page, title: string, description: string) {
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill(description);
  await page.getByLabel("Category").selectOption("billing");
  await page.getByLabel("Priority").selectOption("critical");
}

test("a user creates a ticket and sees it on the dashboard and in the list", async ({ page }) => {
  await register(page, "Ticket Maker", uniqueEmail("maker"), "maker-password");
  await page.getByRole("link", { name: "New ticket" }).first().click();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const title = uniqueTitle("Invoice total is wrong");
  await fillNewTicket(page, title, "The March invoice adds VAT twice.");
  await page.getByRole("button", { name: "Create ticket" }).click();

  await expect(page).toHaveURL(/\/tickets\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(title);
  await expect(page.getByTestId("ticket-status")).toHaveText("Open");

  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await expect(page.locator(".stat").filter({ hasText: "Open" }).locator("dd")).toHaveText("1");

  await page.getByRole("link", { name: "My tickets" }).click();
  await expect(page.getByTestId("result-count")).toHaveText("Showing 1–1 of 1 tickets");
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await page.getByLabel("Status").selectOption("closed");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=closed/);
  await expect(page.getByTestId("result-count")).toHaveText("No tickets match.");
});

test("a new-ticket draft survives a reload and is cleared on submit", async ({ page }) => {
  await register(page, "Draft Keeper", uniqueEmail("draft"), "draft-password");
  await gotoHydrated(page, "/tickets/new");
  const title = uniqueTitle("Half-written problem");
  await fillNewTicket(page, title, "I was typing this when the page reloaded.");
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.getByLabel("Title")).toHaveValue(title);
  await expect(page.getByLabel("Description")).toHaveValue("I was typing this when the page reloaded.");
  await expect(page.getByLabel("Priority")).toHaveValue("critical");

  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page).toHaveURL(/\/tickets\/\d+$/);
  await gotoHydrated(page, "/tickets/new");
  await expect(page.getByLabel("Title")).toHaveValue("");
});

test("new-ticket errors show next to the field", async ({ page }) => {
  await register(page, "Short Title", uniqueEmail("short-title"), "short-password");
  await gotoHydrated(page, "/tickets/new");
  await fillNewTicket(page, "Bad", "Too short a title.");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page.locator("#field-title-error")).toHaveText("Title must be at least 5 characters.");
  await expect(page).toHaveURL(/\/tickets\/new$/);
});

test("an agent works a ticket; the requester sees the reply and resolution but not the internal note", async ({ browser, request }) => {
  const email = uniqueEmail("requester");
  const requester = await browser.newPage();
  await register(requester, "Rita Requester", email, "requester-pass");
  const token = await apiToken(request, email, "requester-pass");
  const title = uniqueTitle("VPN drops every hour");
  const id = await apiCreateTicket(request, token, title);
  await apiAssignToDemoAgent(request, id);

  const agent = await browser.newPage();
  await signIn(agent, DEMO.agent.email, DEMO.agent.password);
  await agent.getByRole("link", { name: "Assigned tickets" }).click();
  await agent.getByLabel("Search").fill(title);
  await agent.getByRole("button", { name: "Apply" }).click();
  await expect(agent.getByTestId("result-count")).toHaveText("Showing 1–1 of 1 tickets");
  await agent.getByRole("link", { name: title }).click();
  await expect(agent.locator("body[data-hydrated]")).toHaveCount(1);

  // Only the legal next states are offered.
  await expect(agent.getByLabel("New status").locator("option")).toHaveText(["In progress", "On hold"]);
  await agent.getByLabel("New status").selectOption("in-progress");
  await agent.getByLabel("Public reply (optional)").fill("We are looking at the VPN gateway.");
  await agent.getByRole("button", { name: "Update status" }).click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("In progress");

  await agent.getByLabel("Note for staff (the requester never sees it)").fill("Gateway firmware is outdated.");
  await agent.getByRole("button", { name: "Add internal note" }).click();
  await expect(agent.locator(".message.internal")).toContainText("Gateway firmware is outdated.");

  await agent.getByLabel("Resolution notes").fill("Updated the gateway firmware.");
  await agent.getByRole("button", { name: "Close ticket" }).click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("Closed");
  await expect(agent.getByTestId("timeline")).toContainText("closed the ticket");

  await requester.goto(`/tickets/${id}`);
  await expect(requester.getByTestId("ticket-status")).toHaveText("Closed");
  await expect(requester.getByText("We are looking at the VPN gateway.")).toBeVisible();
  await expect(requester.getByText("Updated the gateway firmware.").first()).toBeVisible();
  await expect(requester.getByText("Gateway firmware is outdated.")).toHaveCount(0);
  await expect(requester.getByText("Internal note")).toHaveCount(0);
});

test("the requester has no close control and a crafted close request is refused", async ({ page, request }) => {
  const email = uniqueEmail("noclose");
  await register(page, "No Close", email, "noclose-pass");
  const token = await apiToken(request, email, "noclose-pass");
  const id = await apiCreateTicket(request, token, uniqueTitle("Cannot close this"));
  await apiAssignToDemoAgent(request, id);

  await gotoHydrated(page, `/tickets/${id}`);
  await expect(page.getByRole("heading", { name: "Reply" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Close ticket" })).toHaveCount(0);
  await expect(page.getByLabel("New status")).toHaveCount(0);

  // The browser's own session cookie, sent to the API and to the server function.
  const api = await page.request.put(`/api/tickets/${id}/close`, { data: { resolutionNotes: "closing my own" } });
  expect(api.status()).toBe(403);
  const rpc = await page.request.post("/rpc/tickets/close", {
    form: { id: String(id), version: "1", resolution_notes: "closing my own" },
  });
  expect(rpc.status()).toBe(403);
  await page.reload();
  await expect(page.getByTestId("ticket-status")).toHaveText("Open");
});

test("two people editing the same ticket: the second save reports the conflict", async ({ browser, request }) => {
  const email = uniqueEmail("conflict");
  const first = await browser.newPage();
  await register(first, "Two Tabs", email, "conflict-pass");
  const token = await apiToken(request, email, "conflict-pass");
  const id = await apiCreateTicket(request, token, uniqueTitle("Edited twice"));

  const secondContext = await browser.newContext();
  // The second page hears nothing of the first's save (its event stream cannot connect, as
  // behind a proxy that cuts it): its save carries the version it was shown.
  await secondContext.route("**/api/events*", (route) => route.abort());
  const second = await secondContext.newPage();
  await signIn(second, email, "conflict-pass");
  await expect(second).toHaveURL(/\/user$/);

  await gotoHydrated(first, `/tickets/${id}`);
  await gotoHydrated(second, `/tickets/${id}`);
  // Both are editing when the first saves: the second's live page does not move under the
  // edit (it offers the changes in a bar), and its save meets the conflict.
  await second.getByLabel("Title").fill("Second editor's title");
  await first.getByLabel("Title").fill("First editor's title");
  await first.getByRole("button", { name: "Save changes" }).click();
  await expect(first.getByRole("heading", { level: 1 })).toContainText("First editor's title");

  await expect(second.getByLabel("Title")).toHaveValue("Second editor's title");
  await second.getByRole("button", { name: "Save changes" }).click();
  await expect(second.getByRole("alert").filter({ hasText: "changed meanwhile — reload" })).toBeVisible();
  await second.reload();
  await expect(second.getByRole("heading", { level: 1 })).toContainText("First editor's title");
  await secondContext.close();
});
