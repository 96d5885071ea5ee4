import { test, expect, DEMO, INBOUND_SECRET, apiAssignToDemoAgent, apiCreateTicket, apiToken, gotoHydrated, mailsTo, register, signIn, uniqueEmail, uniqueTitle, waitForMailTo } from "./helpers";

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

// A requester answers a notification from their mail program: the mail server hands the reply
// to the help desk, and the agent finds it on the ticket page, without the quoted text.
test("a requester's reply by mail appears on the agent's ticket page", async ({ page, request }) => {
  const email = uniqueEmail("mailreply");
  await register(page, "Mail Reply", email, "Mail-reply-42");
  const user = await apiToken(request, email, "Mail-reply-42");
  const title = uniqueTitle("Mail reply");
  const id = await apiCreateTicket(request, user, title);
  await apiAssignToDemoAgent(request, id);
  const agent = await apiToken(request, DEMO.agent.email, DEMO.agent.password);
  const asked = await request.post(`/api/tickets/${id}/replies`, {
    headers: { Authorization: `Bearer ${agent}` },
    data: { text: "AskedMarker which printer is it?" },
  });
  expect(asked.status()).toBe(201);
  await waitForMailTo(email, "AskedMarker");
  const notification = mailsTo(email).find((m) => m.includes("AskedMarker"))!;
  const replyTo = notification.match(/^Reply-To: (.+)$/m)![1].trim();
  const messageId = notification.match(/^Message-ID: (.+)$/m)![1].trim();

  const reply = [
    `From: Mail Reply <${email}>`,
    `To: ${replyTo}`,
    `Subject: Re: [#${id}] ${title}`,
    `Message-ID: <reply-${Date.now()}@client.example>`,
    `In-Reply-To: ${messageId}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "It is the LaserJet on floor 2.",
    "",
    `On Mon, 7 Dec 2026 at 10:02, Help Desk <helpdesk@localhost> wrote:`,
    "> AskedMarker which printer is it?",
    "",
  ].join("\r\n");
  const taken = await request.post("/api/mail/inbound", {
    headers: { Authorization: `Bearer ${INBOUND_SECRET}`, "Content-Type": "message/rfc822" },
    data: reply,
  });
  expect(taken.status()).toBe(200);
  expect(await taken.json()).toEqual({ outcome: "replied", ticket: id, reason: "threaded by reply token" });

  await page.context().clearCookies();
  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page).toHaveURL(/\/agent$/);
  await gotoHydrated(page, `/tickets/${id}`);
  const conversation = page.getByRole("region", { name: "Conversation" });
  await expect(conversation.getByText("It is the LaserJet on floor 2.")).toBeVisible();
  await expect(conversation.getByText("> AskedMarker which printer is it?")).toHaveCount(0);
  // The whole mail, quote and all, stays readable for the staff in the ticket's mail section.
  await expect(page.getByTestId("ticket-mails")).toContainText("> AskedMarker which printer is it?");
  await expect(page.getByTestId("ticket-mails")).toContainText("threaded by reply token");
});
