import { test, expect, DEMO, apiAssignToDemoAgent, apiCreateTicket, apiToken, gotoHydrated, mailsTo, register, uniqueEmail, uniqueTitle, waitForMailTo } from "./helpers";

// Notification mail, as a requester lives it: the agent's reply arrives by mail; switched off
// on the profile page, no more replies come, while status changes still do.
test("a requester switches reply mails off on the profile and receives no more of them", async ({ page, request }) => {
  const email = uniqueEmail("mailpref");
  await register(page, "Mail Pref", email, "Mail-pref-42");
  const user = await apiToken(request, email, "Mail-pref-42");
  const id = await apiCreateTicket(request, user, uniqueTitle("Mail prefs"));
  await apiAssignToDemoAgent(request, id);
  const agent = await apiToken(request, DEMO.agent.email, DEMO.agent.password);
  const reply = (text: string) =>
    request.post(`/api/tickets/${id}/replies`, { headers: { Authorization: `Bearer ${agent}` }, data: { text } });

  expect((await reply("FirstReplyMarker please restart")).status()).toBe(201);
  await waitForMailTo(email, "FirstReplyMarker");

  await gotoHydrated(page, "/profile");
  const replies = page.getByLabel("Someone replies on a ticket I raised");
  await expect(replies).toBeChecked();
  await replies.uncheck();
  await page.getByRole("button", { name: "Save notification settings" }).click();
  await expect(page.getByText("Notification settings saved.")).toBeVisible();
  await gotoHydrated(page, "/profile");
  await expect(page.getByLabel("Someone replies on a ticket I raised")).not.toBeChecked();
  await expect(page.getByLabel("The status of a ticket I raised changes")).toBeChecked();

  expect((await reply("SecondReplyMarker did it help")).status()).toBe(201);
  const status = await request.put(`/api/agents/ticket/${id}/status`, {
    headers: { Authorization: `Bearer ${agent}` },
    data: { status: "on-hold" },
  });
  expect(status.status()).toBe(200);
  // The status mail comes (written after the reply's would have been): the reply's never does.
  await waitForMailTo(email, "on-hold");
  expect(mailsTo(email).filter((m) => m.includes("SecondReplyMarker"))).toEqual([]);
});

test("the notification settings save without JavaScript too", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = uniqueEmail("mailnojs");
  await page.goto("/register");
  await page.getByLabel("Name").fill("No Script");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("No-script-42");
  await page.getByLabel("Confirm password").fill("No-script-42");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/user$/);
  await page.goto("/profile");
  await page.getByLabel("The status of a ticket I raised changes").uncheck();
  await page.getByRole("button", { name: "Save notification settings" }).click();
  await expect(page.getByText("Notification settings saved.")).toBeVisible();
  await expect(page.getByLabel("The status of a ticket I raised changes")).not.toBeChecked();
  await expect(page.getByLabel("Someone replies on a ticket I raised")).toBeChecked();
  await context.close();
});
