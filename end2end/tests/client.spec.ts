import { test, expect, gotoHydrated } from "./helpers";

/** cargo-leptos puts a 22-character base64url MD5 of the content in each hashed name. */
const HASHED = /\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/;

test("the client's files have hashed names, are cached for a year and served compressed", async ({ page, request }) => {
  const files: { url: string; cache: string }[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/pkg/") && response.status() === 200) {
      files.push({ url: url.pathname, cache: response.headers()["cache-control"] ?? "" });
    }
  });
  await gotoHydrated(page, "/login");
  const main = files.filter((f) => /^\/pkg\/helpdesk\./.test(f.url)).map((f) => f.url);
  // The stylesheet, the script and the WebAssembly of the sign-in page, each named by its content.
  for (const ext of ["css", "js", "wasm"]) {
    expect(main.filter((url) => url.endsWith(`.${ext}`) && HASHED.test(url)), `a hashed .${ext} in ${main}`).toHaveLength(1);
  }
  for (const file of files.filter((f) => !f.url.startsWith("/pkg/snippets/"))) {
    expect(file.url, "every client file but wasm-bindgen's snippets is hashed").toMatch(HASHED);
    expect(file.cache, file.url).toBe("public, max-age=31536000, immutable");
  }

  // Precompressed at build time: brotli for clients that accept it, gzip for the rest.
  const wasm = main.find((url) => url.endsWith(".wasm"))!;
  for (const encoding of ["br", "gzip"]) {
    const reply = await request.get(wasm, { headers: { "accept-encoding": encoding } });
    expect(reply.status()).toBe(200);
    expect(reply.headers()["content-encoding"], encoding).toBe(encoding);
    expect(reply.headers()["vary"]?.toLowerCase()).toContain("accept-encoding");
  }

  // A file that does not exist is a 404 that nobody caches.
  const missing = await request.get("/pkg/helpdesk.AAAAAAAAAAAAAAAAAAAAAA.js");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"]).toBe("no-cache");
});
