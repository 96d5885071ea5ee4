import { test as setup, expect, DEMO, apiToken } from "./helpers";

// Many tests assign a ticket to the one demo agent, in parallel: the default cap of open tickets
// per agent (10) would refuse the later ones. The cap itself is tested in settings.serial.spec.ts.
setup("room for the suite's tickets on the demo agent", async ({ request }) => {
  const token = await apiToken(request, DEMO.superadmin.email, DEMO.superadmin.password);
  const saved = await request.put("/api/superadmin/settings", { headers: { Authorization: `Bearer ${token}` }, data: { maxTicketsPerAgent: 100 } });
  expect(saved.status()).toBe(200);
});
