import { test, expect, DEMO, gotoHydrated, register, resetLinkFor, signIn, uniqueEmail } from "./helpers";

test.describe("signing in", () => {
  for (const [role, account] of Object.entries(DEMO)) {
    test(`the ${role} demo account lands on its home showing its name`, async ({ page }) => {
      await signIn(page, account.email, account.password);
      await expect(page).toHaveURL(new RegExp(`${account.home}$`));
      await expect(page.getByTestId("user-name")).toHaveText(account.name);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${account.name}`);
    });
  }

  test("a wrong password shows an error and stays on the login page", async ({ page }) => {
    await signIn(page, DEMO.agent.email, "not-the-password");
    await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password." })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByTestId("user-name")).toHaveCount(0);
  });

  test("the login page remembers the last email typed, never the password", async ({ page }) => {
    await signIn(page, DEMO.jane.email, DEMO.jane.password);
    await expect(page).toHaveURL(/\/user$/);
    await page.context().clearCookies();
    await gotoHydrated(page, "/login");
    await expect(page.getByLabel("Email")).toHaveValue(DEMO.jane.email);
    const stored = await page.evaluate(() => JSON.stringify(window.localStorage));
    expect(stored).not.toContain(DEMO.jane.password);
    expect(stored).not.toMatch(/eyJ/); // no JWT in storage
  });
});

test.describe("access", () => {
  test("a user opening /admin is refused", async ({ page }) => {
    await signIn(page, DEMO.user.email, DEMO.user.password);
    await expect(page).toHaveURL(/\/user$/);
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
  });

  test("a signed-out visitor is sent to login and returns to the page after signing in", async ({ page }) => {
    await page.goto("/profile");
    await expect(page).toHaveURL(/\/login\?next=%2Fprofile|\/login\?next=\/profile/);
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await page.getByLabel("Email").fill(DEMO.agent.email);
    await page.getByLabel("Password", { exact: true }).fill(DEMO.agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  });

  test("after logout a protected page sends you to login", async ({ page }) => {
    await signIn(page, DEMO.admin.email, DEMO.admin.password);
    await expect(page).toHaveURL(/\/admin$/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/login\?next=/);
  });
});

test.describe("accounts", () => {
  test("registering signs in a new user", async ({ page }) => {
    const email = uniqueEmail("reg");
    await register(page, "Grace Hopper", email, "compiler-pass");
    await expect(page.getByTestId("user-name")).toHaveText("Grace Hopper");
    await expect(page.locator(".role-badge")).toHaveText("User");
  });

  test("registration errors are shown next to the field", async ({ page }) => {
    await gotoHydrated(page, "/register");
    await page.getByLabel("Full name").fill("Short Pass");
    await page.getByLabel("Email").fill(uniqueEmail("short"));
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    const password = page.getByLabel("Password", { exact: true });
    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#field-password-error")).toHaveText("Password must be at least 8 characters.");
    await expect(page).toHaveURL(/\/register/);
  });

  test("forgot password: the mailed link sets a new password; the old one stops working", async ({ page }) => {
    const email = uniqueEmail("reset");
    await register(page, "Reset Me", email, "original-pass");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);

    await gotoHydrated(page, "/forgot-password");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("status")).toContainText("If an account exists for that email");

    const link = await resetLinkFor(email);
    await gotoHydrated(page, new URL(link).pathname + new URL(link).search);
    await page.getByLabel("New password", { exact: true }).fill("replacement-pass");
    await page.getByLabel("Confirm new password").fill("replacement-pass");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page).toHaveURL(/\/login\?reset=1$/);
    await expect(page.getByRole("status")).toContainText("Password changed");

    await signIn(page, email, "original-pass");
    await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password." })).toBeVisible();
    await signIn(page, email, "replacement-pass");
    await expect(page).toHaveURL(/\/user$/);
  });

  test("the profile can be edited and the password changed", async ({ page }) => {
    const email = uniqueEmail("profile");
    await register(page, "Pro File", email, "first-password");
    await page.getByRole("link", { name: "Profile" }).click();
    await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await page.getByLabel("Phone").fill("not a phone");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expect(page.locator("#field-phone-error")).toContainText("Phone may contain only digits");

    await page.getByLabel("Phone").fill("+1 555 0100");
    await page.getByLabel("Department").fill("Research");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expect(page.getByRole("status")).toHaveText("Profile saved.");
    await page.reload();
    await expect(page.getByLabel("Department")).toHaveValue("Research");

    await page.getByLabel("Current password").fill("first-password");
    await page.getByLabel("New password", { exact: true }).fill("second-password");
    await page.getByLabel("Confirm new password").fill("second-password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status")).toHaveText("Password changed.");
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, email, "second-password");
    await expect(page).toHaveURL(/\/user$/);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a form submitted before hydration still signs in", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO.agent.email);
    await page.getByLabel("Password", { exact: true }).fill(DEMO.agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/agent$/);
    await expect(page.getByTestId("user-name")).toHaveText(DEMO.agent.name);
  });

  test("a failed form post shows the error next to the form", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO.agent.email);
    await page.getByLabel("Password", { exact: true }).fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByText("Invalid email or password.")).toBeVisible();
  });
});
