// Loads pages of an exported site in headless Chromium (/usr/bin/chromium), runs axe-core on
// each in the light and the dark colour scheme, and records console errors and failed loads.
// Usage: node axe_check.mjs BASE_URL PATH... ; prints one JSON report on stdout.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const axe = require("axe-core");

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
  ],
});
const report = [];
try {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme, javaScriptEnabled: true });
    for (const path of paths) {
      const page = await context.newPage();
      const problems = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      page.on("requestfailed", (req) => problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`));
      page.on("response", (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      const url = new URL(path, base).href;
      const response = await page.goto(url, { waitUntil: "load" });
      // The favicon is fetched after load; give it a moment to fail if it were missing.
      await page.waitForTimeout(300);
      const scripts = await page.evaluate(() => document.querySelectorAll("script").length);
      await page.addScriptTag({ content: axe.source });
      const result = await page.evaluate(async () => await window.axe.run(document));
      report.push({
        url,
        scheme,
        status: response ? response.status() : 0,
        scripts,
        violations: result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.html).slice(0, 5),
        })),
        passes: result.passes.length,
        problems,
      });
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
