// The UI suite's walkthrough check: "Welcome: Open Walkthrough..." lists Edge Studio's walkthrough; its first step's
// button runs edge.createDemoRecipe, whose open dialog (code-server's simple file dialog) takes a real model; the
// demo recipe opens in an editor and the step is marked done.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { clsModel } from "./workspace";

async function runPaletteCommand(page: Page, label: string): Promise<void> {
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`>${label}`);
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: label }).first().click();
}

export async function walkthroughCreatesDemoRecipe(page: Page): Promise<void> {
  await runPaletteCommand(page, "Welcome: Open Walkthrough...");
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: "Get started with Edge Studio" })
    .first()
    .click();
  const step = page.locator(".getting-started-step", { hasText: "Create the demo recipe" }).first();
  await step.waitFor();
  await step.click();
  await page.screenshot({ path: join(artifactsDir, "ui-walkthrough.png") });
  await page
    .locator(".getting-started-step.expanded .monaco-button, .getting-started-step.expanded a", {
      hasText: "Create Demo Recipe",
    })
    .first()
    .click();
  // code-server's simple file dialog: a quick input titled by the command, holding a path.
  await page
    .locator(".quick-input-widget .quick-input-title", { hasText: "the ONNX model for the demo recipe" })
    .waitFor();
  // The dialog fills in the default folder after it shows: wait for that listing (its ".." row) before typing over it.
  const input = page.locator(".quick-input-widget input");
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: ".." }).first().waitFor();
  await input.fill(clsModel);
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: "ch_ppocr_mobile_v2.0_cls_infer.onnx" })
    .first()
    .waitFor();
  if ((await input.inputValue()) !== clsModel)
    throw new Error(`the file dialog holds ${await input.inputValue()}, not the model`);
  // Accept with the dialog's button. The dialog checks the typed path asynchronously and may ignore an accept that
  // comes while it is still busy: then it stays open, and the button is clicked again.
  const tab = page.locator('.tab.active[aria-label^="demo.edge.yaml"]');
  const accept = page.locator(".quick-input-widget .monaco-button", { hasText: "Use This Model" });
  for (let attempt = 1; ; attempt++) {
    await accept.click();
    try {
      await tab.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt >= 3 || !(await accept.isVisible())) throw error;
    }
  }
  await page.screenshot({ path: join(artifactsDir, "ui-walkthrough-recipe.png") });
}
