import { type APIRequestContext, type Page } from "@playwright/test";
import { test, expect, DEMO, apiToken, uniqueEmail } from "./helpers";

/**
 * Hostile text in names, titles, descriptions, replies, notes and resolution notes, opened in
 * Chromium by every role that sees it. Each payload would set `window.__hostile` (or open a
 * dialog) if it ever ran: before hydration, after it, and after client-side navigation.
 */
const PAYLOADS = [
  "</title><script>window.__hostile='title'</script>",
  "\"><svg onload=\"window.__hostile='svg'\"></svg>",
  "'><img src=x onerror=\"window.__hostile='img'\">",
  "</textarea><img src=x onerror=\"window.__hostile='textarea'\">",
  "</script><script>window.__hostile='script'</script>",
];
const PASSWORD = "hostile-password";

type World = { ticketIds: number[]; titles: string[]; user: string; agent: string; userId: number; agentId: number };

async function api(request: APIRequestContext, method: "post" | "put", url: string, token: string, data: object) {
  const reply = await request[method](url, { headers: { Authorization: `Bearer ${token}` }, data });
  expect(reply.ok(), `${method} ${url}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

/** A requester and an agent with hostile names, and one ticket per payload between them. */
async function hostileWorld(request: APIRequestContext): Promise<World> {
  const superadmin = await apiToken(request, DEMO.superadmin.email, DEMO.superadmin.password);
  const admin = await apiToken(request, DEMO.admin.email, DEMO.admin.password);
  const user = uniqueEmail("hostile-user");
  const agent = uniqueEmail("hostile-agent");
  const account = (name: string, email: string, role: string) => ({ name, email, password: PASSWORD, role, department: name, phone: "" });
  const userId = (await api(request, "post", "/api/superadmin/users", superadmin, account(PAYLOADS[0], user, "user"))).user.id;
  const agentId = (await api(request, "post", "/api/superadmin/users", superadmin, account(PAYLOADS[1], agent, "agent"))).user.id;
  const agentToken = await apiToken(request, agent, PASSWORD);
  const ticketIds: number[] = [];
  const titles: string[] = [];
  for (const [i, payload] of PAYLOADS.entries()) {
    const title = `Hostile ${i} ${payload}`;
    const created = await api(request, "post", "/api/tickets", admin, { title, description: payload, category: "technical", priority: "high", userId });
    const id = created.ticket.id;
    await api(request, "put", `/api/admin/ticket/${id}/assign`, admin, { agentId });
    await api(request, "post", `/api/agents/ticket/${id}/note`, agentToken, { note: payload, internal: false });
    await api(request, "post", `/api/agents/ticket/${id}/note`, agentToken, { note: payload, internal: true });
    if (i === 0) {
      const current = await (await request.get(`/api/tickets/${id}`, { headers: { Authorization: `Bearer ${agentToken}` } })).json();
      const ticket = await api(request, "put", `/api/agents/ticket/${id}/status`, agentToken, { status: "in-progress", version: current.ticket.version });
      await api(request, "put", `/api/tickets/${id}/close`, agentToken, { resolutionNotes: payload, version: ticket.ticket.version });
    }
    ticketIds.push(id);
    titles.push(title);
  }
  return { ticketIds, titles, user, agent, userId, agentId };
}

/** Dialogs opened, and Content-Security-Policy violations (a script the policy stopped). */
async function watch(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) dialogs.push(`CSP: ${message.text()}`);
  });
  return dialogs;
}

async function sentinel(page: Page) {
  return page.evaluate(() => (window as unknown as { __hostile?: string }).__hostile ?? null);
}

/** Loads the page, checks the sentinel before and after hydration. */
async function visit(page: Page, url: string) {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  expect(await sentinel(page), `${url} before hydration`).toBeNull();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  expect(await sentinel(page), `${url} after hydration`).toBeNull();
}

async function signInAs(page: Page, email: string, password: string) {
  await visit(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** From a list page, opens a hostile ticket by its link (client-side navigation). */
async function openFromList(page: Page, listUrl: string, world: World, index: number) {
  await visit(page, listUrl);
  await page.getByRole("link", { name: world.titles[index], exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${world.ticketIds[index]}$`));
  await expect(page.locator("h1")).toHaveText(`#${world.ticketIds[index]} ${world.titles[index]}`);
  await expect(page).toHaveTitle(`#${world.ticketIds[index]} ${world.titles[index]} · Help Desk`);
  expect(await sentinel(page), "after client-side navigation").toBeNull();
}

test("hostile text stays text for the requester, the agent, the admin and the super admin", async ({ browser, request }) => {
  // Four people, each signing in and loading about fifteen pages: 1.6 min on a slow machine in
  // a green run, and past two minutes in the next one with nothing changed on its path.
  test.setTimeout(300_000);
  const world = await hostileWorld(request);
  const roles = [
    { email: world.user, password: PASSWORD, pages: ["/user", "/user/tickets", "/profile"], list: "/user/tickets" },
    { email: world.agent, password: PASSWORD, pages: ["/agent", "/agent/tickets", "/profile"], list: "/agent/tickets" },
    { email: DEMO.admin.email, password: DEMO.admin.password, pages: ["/admin", "/admin/tickets", "/admin/reports"], list: `/admin/tickets?assignedTo=` },
    {
      email: DEMO.superadmin.email,
      password: DEMO.superadmin.password,
      pages: ["/superadmin", "/superadmin/users", `/superadmin/users/${world.userId}`, `/superadmin/audit?q=${encodeURIComponent(PAYLOADS[0])}`, `/admin/tickets?q=${encodeURIComponent(PAYLOADS[1])}`],
      list: "/admin/tickets?assignedTo=",
    },
  ];
  for (const role of roles) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs = await watch(page);
    await signInAs(page, role.email, role.password);
    expect(await sentinel(page), `${role.email}'s home`).toBeNull();
    for (const url of role.pages) await visit(page, url);
    for (const [i, id] of world.ticketIds.entries()) {
      await visit(page, `/tickets/${id}`);
      await expect(page).toHaveTitle(`#${id} ${world.titles[i]} · Help Desk`);
      await expect(page.locator("h1")).toHaveText(`#${id} ${world.titles[i]}`);
    }
    // The list filtered to the hostile agent holds every hostile ticket; open two from it.
    const list = role.list.endsWith("assignedTo=") ? `${role.list}${world.agentId}` : role.list;
    await openFromList(page, list, world, 1);
    await page.goBack();
    await openFromList(page, list, world, 4);
    expect(dialogs, `${role.email} saw dialogs`).toEqual([]);
    await context.close();
  }
});

test("the browser enforces the page's policy: a script without the page's nonce does not run", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const reported: string[] = [];
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) reported.push(message.text());
  });
  await page.goto("/login");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const ran = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__hostile = 'injected'";
    document.body.appendChild(script);
    return (window as unknown as { __hostile?: string }).__hostile ?? null;
  });
  expect(ran, "an injected inline script is blocked").toBeNull();
  await expect.poll(() => reported.length, { message: "and the browser reports the violation" }).toBeGreaterThan(0);
  await context.close();
});
