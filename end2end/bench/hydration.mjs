// Bench: time from navigation to a hydrated page in headless Chromium, with
// the CPU throttled 4x (a modest laptop or phone), empty cache every time.
//   node end2end/bench/hydration.mjs --base http://127.0.0.1:PORT --password P [--path /users] [--reps 7]
// Prints the median and every run. The page counts as hydrated when the app
// marks <html data-hydrated>.
import { chromium } from "@playwright/test";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const base = args.base;
const path = args.path ?? "/users";
const reps = Number(args.reps ?? 7);
const rate = Number(args.throttle ?? 4);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const times = [];
for (let i = 0; i < reps; i++) {
  const context = await browser.newContext({ baseURL: base });
  if (args.password) {
    const answer = await context.request.post("/api/sign_in", {
      form: { login: args.login ?? "admin", password: args.password },
      headers: { Origin: base },
    });
    if (!answer.ok()) throw new Error(`sign-in failed: HTTP ${answer.status()}`);
  }
  // The document the init script sees is replaced once the HTML is parsed,
  // so watch the whole document for the attribute.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.documentElement?.hasAttribute("data-hydrated")) {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await page.goto(path);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 60_000 });
  times.push(await page.evaluate(() => window.__hydratedAt));
  await context.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`hydrated ${path} (CPU ${rate}x slower, empty cache): median ${median.toFixed(0)} ms; runs ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
