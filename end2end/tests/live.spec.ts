import { test, expect, DEMO, apiAssignToDemoAgent, apiCreateTicket, apiToken, gotoHydrated, register, signIn, uniqueEmail, uniqueTitle } from "./helpers";

// Two people side by side: what one does shows on the other's open page without a reload.
test("an agent's status change and reply show on the requester's open ticket page, and the draft there stays", async ({ page, browser, request }) => {
  const email = uniqueEmail("live");
  await register(page, "Live Requester", email, "Live-pass-42");
  const user = await apiToken(request, email, "Live-pass-42");
  const id = await apiCreateTicket(request, user, uniqueTitle("Live page"));
  await apiAssignToDemoAgent(request, id);

  await gotoHydrated(page, `/tickets/${id}`);
  await expect(page.getByTestId("ticket-status")).toHaveText("Open");
  // The requester starts writing; the page moves under the draft and keeps it.
  await page.getByLabel("Your reply").fill("DraftMarker half-written answer");

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, DEMO.agent.email, DEMO.agent.password);
  await expect(agent).toHaveURL(/\/agent$/);
  await gotoHydrated(agent, `/tickets/${id}`);
  await agent.getByLabel("New status").selectOption("in-progress");
  await agent.getByRole("button", { name: "Update status" }).click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("In progress");
  await agent.getByLabel("Your reply").fill("LiveReplyMarker please restart the laptop");
  await agent.getByRole("button", { name: "Send reply" }).click();

  await expect(page.getByTestId("ticket-status")).toHaveText("In progress", { timeout: 5000 });
  await expect(page.getByText("LiveReplyMarker please restart the laptop")).toBeVisible({ timeout: 5000 });
  await expect(page.getByLabel("Your reply")).toHaveValue("DraftMarker half-written answer");
  await agentContext.close();
});

test("an admin's assignment shows in the agent's open queue and dashboard", async ({ page, browser, request }) => {
  const user = await apiToken(request, DEMO.user.email, DEMO.user.password);
  const title = uniqueTitle("Live queue");
  const id = await apiCreateTicket(request, user, title);

  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page).toHaveURL(/\/agent$/);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const total = page.locator(".stat", { hasText: "Total" }).locator("dd");
  const before = Number(await total.innerText());

  const queueContext = await browser.newContext();
  const queue = await queueContext.newPage();
  await signIn(queue, DEMO.agent.email, DEMO.agent.password);
  await expect(queue).toHaveURL(/\/agent$/);
  // The change comes at once, whether or not the queue's stream has connected yet: the page
  // names the event it was rendered at, and its stream starts from there.
  await gotoHydrated(queue, "/agent/tickets");
  await apiAssignToDemoAgent(request, id);
  // Other tests assign to the demo agent too: the count grows by at least this one.
  await expect.poll(async () => Number(await total.innerText()), { timeout: 5000 }).toBeGreaterThan(before);
  // The queue does not shift under the pointer: a bar offers the new ticket.
  await expect(queue.getByTestId("new-tickets")).toContainText(/new tickets?: show/, { timeout: 5000 });
  await expect(queue.getByRole("link", { name: title })).toHaveCount(0);
  await queue.getByTestId("new-tickets").click();
  await expect(queue.getByRole("link", { name: title })).toBeVisible();
  await queueContext.close();
});

test("eight tabs of one browser share one stream and stay usable", async ({ browser }) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first, DEMO.user.email, DEMO.user.password);
  await expect(first).toHaveURL(/\/user$/);
  // Streams open at once across the tabs (a stream ends when its tab navigates away).
  let open = 0;
  let most = 0;
  const isStream = (r: { url(): string }) => new URL(r.url()).pathname === "/api/events";
  context.on("request", (r) => {
    if (isStream(r)) most = Math.max(most, ++open);
  });
  context.on("requestfinished", (r) => {
    if (isStream(r)) open--;
  });
  context.on("requestfailed", (r) => {
    if (isStream(r)) open--;
  });
  const tabs = [first];
  for (let n = 1; n < 8; n++) {
    const tab = await context.newPage();
    await gotoHydrated(tab, "/user");
    tabs.push(tab);
  }
  // Every tab still loads pages and calls the server.
  for (const tab of tabs) {
    await gotoHydrated(tab, "/user/tickets");
    await expect(tab.getByRole("heading", { name: "My tickets" })).toBeVisible();
  }
  expect(most).toBeLessThanOrEqual(2);
  // A change still reaches a tab that does not hold the stream.
  const last = tabs[7];
  await gotoHydrated(last, "/tickets/1");
  // If this tab held the stream, another takes it over when it navigated: let that settle.
  await last.waitForTimeout(2000);
  const request = context.request;
  const agent = await apiToken(request, DEMO.agent.email, DEMO.agent.password);
  const reply = await request.post("/api/tickets/1/replies", { headers: { Authorization: `Bearer ${agent}` }, data: { text: "SharedStreamMarker one stream for all tabs" } });
  expect(reply.status()).toBe(201);
  await expect(last.getByText("SharedStreamMarker one stream for all tabs")).toBeVisible({ timeout: 5000 });
  await context.close();
});
