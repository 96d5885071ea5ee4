import { test, expect, DEMO, apiAssignToDemoAgent, apiCreateTicket, apiToken, gotoHydrated, signIn, uniqueTitle } from "./helpers";

// Two staff on one ticket, side by side: each sees the other, and who is writing.
test("two staff on one ticket see each other, the one writing, and the warning before a second reply", async ({ page, browser, request }) => {
  const user = await apiToken(request, DEMO.user.email, DEMO.user.password);
  const id = await apiCreateTicket(request, user, uniqueTitle("Presence"));
  await apiAssignToDemoAgent(request, id);

  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page).toHaveURL(/\/agent$/);
  await gotoHydrated(page, `/tickets/${id}`);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin.email, DEMO.admin.password);
  await expect(admin).toHaveURL(/\/admin$/);
  await gotoHydrated(admin, `/tickets/${id}`);

  await expect(admin.getByTestId("presence")).toContainText(DEMO.agent.name, { timeout: 5000 });
  await expect(page.getByTestId("presence")).toContainText(DEMO.admin.name, { timeout: 5000 });
  await expect(page.getByTestId("typing-warning")).toHaveCount(0);

  // The admin starts a reply: the agent sees it before writing his own.
  await admin.getByLabel("Your reply").fill("AdminDraft checking the printer queue");
  await expect(page.getByTestId("presence")).toContainText(`${DEMO.admin.name} (writing a reply)`, { timeout: 5000 });
  await expect(page.getByTestId("typing-warning")).toContainText(`${DEMO.admin.name} is also writing a reply`);
  // And the other way round.
  await page.getByLabel("Your reply").fill("AgentDraft please send a photo");
  await expect(admin.getByTestId("typing-warning")).toContainText(`${DEMO.agent.name} is also writing a reply`, { timeout: 5000 });
  // The admin clears the draft: no longer writing.
  await admin.getByLabel("Your reply").fill("");
  await expect(page.getByTestId("typing-warning")).toHaveCount(0, { timeout: 5000 });
  await expect(page.getByTestId("presence")).not.toContainText("writing", { timeout: 5000 });

  // The admin leaves the page: the agent sees the admin go.
  await admin.goto("/admin");
  await expect(page.getByTestId("presence")).toHaveCount(0, { timeout: 5000 });
  await adminContext.close();
});

test("a reply sent on a page that fell behind is held back with what changed, and the draft stays to send again", async ({ page, browser, request }) => {
  const user = await apiToken(request, DEMO.user.email, DEMO.user.password);
  const id = await apiCreateTicket(request, user, uniqueTitle("Held reply"));
  await apiAssignToDemoAgent(request, id);

  // The agent's page hears nothing (its stream is cut): it falls behind.
  await page.route("**/api/events*", (route) => route.abort());
  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page).toHaveURL(/\/agent$/);
  await gotoHydrated(page, `/tickets/${id}`);
  await page.getByLabel("Your reply").fill("HeldMarker please restart the printer");

  const admin = await apiToken(request, DEMO.admin.email, DEMO.admin.password);
  const answered = await request.post(`/api/tickets/${id}/replies`, { headers: { Authorization: `Bearer ${admin}` }, data: { text: "AdminMarker the printer is replaced" } });
  expect(answered.status()).toBe(201);

  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not sent" })).toContainText(`${DEMO.admin.name} replied`);
  // What changed is on the page now, and the draft is still there.
  await expect(page.getByText("AdminMarker the printer is replaced")).toBeVisible();
  await expect(page.getByLabel("Your reply")).toHaveValue("HeldMarker please restart the printer");
  // Read, sent again: it goes.
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.locator(".thread").getByText("HeldMarker please restart the printer")).toBeVisible();
  await expect(page.getByLabel("Your reply")).toHaveValue("");
});

test("a status change on a page that fell behind says what others did, and the form keeps what was chosen", async ({ page, request }) => {
  const user = await apiToken(request, DEMO.user.email, DEMO.user.password);
  const id = await apiCreateTicket(request, user, uniqueTitle("Held status"));
  await apiAssignToDemoAgent(request, id);

  await page.route("**/api/events*", (route) => route.abort());
  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page).toHaveURL(/\/agent$/);
  await gotoHydrated(page, `/tickets/${id}`);
  await page.getByLabel("New status").selectOption("on-hold");
  await page.getByLabel("Public reply (optional)").fill("StatusMarker waiting for the part");

  // Meanwhile the admin raises the priority.
  const admin = await apiToken(request, DEMO.admin.email, DEMO.admin.password);
  const current = await request.get(`/api/tickets/${id}`, { headers: { Authorization: `Bearer ${admin}` } });
  const version = (await current.json()).ticket.version;
  const raised = await request.put(`/api/tickets/${id}`, { headers: { Authorization: `Bearer ${admin}` }, data: { priority: "critical", version } });
  expect(raised.status()).toBe(200);

  await page.getByRole("button", { name: "Update status" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not saved" })).toContainText(`${DEMO.admin.name}`);
  // The page shows the ticket as it is now, and the form still holds the choice and the text.
  await expect(page.getByLabel("Priority")).toHaveValue("critical");
  await expect(page.getByLabel("New status")).toHaveValue("on-hold");
  await expect(page.getByLabel("Public reply (optional)")).toHaveValue("StatusMarker waiting for the part");
  // Sent again on the page as it is now: it goes.
  await page.getByRole("button", { name: "Update status" }).click();
  await expect(page.getByTestId("ticket-status")).toContainText("On hold");
});
