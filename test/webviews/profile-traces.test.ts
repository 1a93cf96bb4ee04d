// The profile viewer in a real browser (see profile-page.ts) on what is not a plain onnxruntime trace: live kernels
// as a run streams them, state restored after a reload, a Chromium-style trace (tracks, instants, counters), a
// cut-off trace, a JSON file that is not a trace, a file that is not JSON, and a real onnxruntime profile from
// `edge run`. Fails on any CSP violation or page error.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifacts,
  canvasBox,
  noViolations,
  open,
  settle,
  slices,
  state,
  url,
  useProfilePages,
  view,
  win,
  zoomToRun,
  type PageWindow,
  context,
  harness,
} from "./profile-page";
import { liveKernels } from "./profile-harness/fixtures";

useProfilePages({ real: true });

void test("live kernels are drawn as they arrive, followed until the user pans away; the final file replaces them", async () => {
  const page = await context.newPage();
  await harness.attach(page);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url.live);
  await page.locator("#progress", { hasText: "Waiting for the live run" }).waitFor();
  for (let i = 0; i < 3; i++) {
    await win(
      page,
      new Function(
        "w",
        `w.__hostSend("profile/didReceiveLiveKernels", ${JSON.stringify({ iteration: i, kernels: liveKernels(i, 60) })})`,
      ) as (w: PageWindow) => void,
    );
    await page.locator(`.profile-app[data-live-drawn="${i}"]`).waitFor({ timeout: 5000 });
  }
  assert.match(await page.locator("#status").innerText(), /\(live\)/);
  assert.equal(await page.locator("#follow").isVisible(), true);
  const followed = await view(page);
  const lastEnd = 1000 + 2 * (60 * 60 + 100) + 59 * 60;
  assert.ok(followed.endUs >= lastEnd, `the view follows the live edge: ${JSON.stringify(followed)}`);
  // Zoom in and pan away: following stops; a new iteration does not move the view.
  await page.locator("canvas.timeline-canvas").focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press("w");
  for (let i = 0; i < 30; i++) await page.keyboard.press("a");
  await page.locator('.profile-app[data-follow="false"]').waitFor();
  const away = await view(page);
  await win(
    page,
    new Function(
      "w",
      `w.__hostSend("profile/didReceiveLiveKernels", ${JSON.stringify({ iteration: 3, kernels: liveKernels(3, 60) })})`,
    ) as (w: PageWindow) => void,
  );
  await page.locator('.profile-app[data-live-drawn="3"]').waitFor();
  assert.deepEqual(await view(page), away, "the view stays where the user put it");
  await page.locator("#follow").click();
  await settle(page);
  assert.ok((await view(page)).endUs >= 1000 + 3 * 3700, "following again");
  await page.screenshot({ path: join(artifacts, "profile-live.png") });
  // The run ends: its profile.json replaces the live kernels.
  await win(page, (w) => w.__hostSend("profile/didEndLiveRun", { ok: true }));
  await win(page, (w) => w.__hostStream("main", "ort.json"));
  await page.waitForFunction(
    () => /20 runs from/.test(document.getElementById("status")?.textContent ?? ""),
    undefined,
    { timeout: 15_000 },
  );
  assert.equal(await page.locator("#follow").isVisible(), false);
  assert.deepEqual(errors, []);
  assert.deepEqual(await win(page, (w) => w.__violations), []);
  await page.close();
});

void test("the window, tab and selection are restored after a reload", async () => {
  const { page, errors } = await open("restore");
  await page.locator("canvas.timeline-canvas").focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press("w");
  await page.keyboard.press("d");
  const v = await view(page);
  await page.locator("#tab-nodes").click();
  await page.locator("#nodes-table").waitFor();
  await page.locator('#nodes-table th[data-column="meanUs"] button').click();
  const saved = await state(page);
  assert.equal(saved?.tab, "nodes");
  assert.deepEqual(saved?.sort, { column: "meanUs", descending: true });
  await open("restore", page);
  await page.locator("#nodes-table").waitFor();
  assert.equal(await page.locator("#nodes-view").isVisible(), true);
  assert.equal(await page.locator('#nodes-table th[data-column="meanUs"]').getAttribute("aria-sort"), "descending");
  const r = await view(page);
  assert.ok(
    Math.abs(r.startUs - v.startUs) < 1e-3 && Math.abs(r.endUs - v.endUs) < 1e-3,
    `${JSON.stringify(r)} vs ${JSON.stringify(v)}`,
  );
  await noViolations(page, errors);
  await page.close();
});

void test("a Chromium trace opens with its named tracks; flow and async events are counted and skipped", async () => {
  const { page, errors } = await open("chromium");
  assert.match(await page.locator("#status").innerText(), /on 2 tracks/);
  assert.match(
    await page.locator("#notes").innerText(),
    /events of phases the timeline does not draw were skipped \(s ×40, f ×40, b ×40, e ×40\)/,
  );
  assert.ok((await slices(page)).length > 0);
  await page.screenshot({ path: join(artifacts, "profile-chromium.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a Chromium trace's instants and counters are drawn: ticks on their thread, global ones on top, step tracks", async () => {
  const { page, errors } = await open("chromium");
  await page.waitForFunction(
    () => Number(document.querySelector("canvas.timeline-canvas")?.getAttribute("data-marks")) > 0,
  );
  const marks = await win(page, (w) => w.edgeProfile.timeline.visibleMarks());
  const paints = marks.instants.filter((m) => m.name === "firstPaint");
  const global = marks.instants.filter((m) => m.track === -1);
  // Every instant is drawn once: alone, or counted in a merged tick.
  assert.equal(
    paints.reduce((s, m) => s + m.merged, 0),
    40,
  );
  assert.equal(
    global.reduce((s, m) => s + m.merged, 0),
    3,
  );
  assert.ok(
    global.every((m) => m.name === "NavigationStart" && m.y < Math.min(...paints.map((p) => p.y))),
    "on top",
  );
  assert.deepEqual(marks.counters.map((c) => c.label).sort(), ["JSHeap · total", "JSHeap · used"]);
  const c = await canvasBox(page);
  // Hover details: an instant, then a counter's value.
  const tick = paints[Math.floor(paints.length / 2)];
  await page.mouse.move(c.x + tick.x, c.y + tick.y);
  await page.locator('#tooltip .mark-details[data-kind="instant"]').waitFor();
  assert.match(await page.locator("#tooltip").innerText(), /firstPaint/);
  const used = marks.counters.find((k) => k.label === "JSHeap · used")!;
  await page.mouse.move(c.x + tick.x, c.y + used.y + 20);
  await page.locator('#tooltip .mark-details[data-kind="counter"]').waitFor();
  const tip = await page.locator("#tooltip").innerText();
  assert.match(tip, /JSHeap · used/);
  assert.match(tip, /Value\s+1,\d{3}/);
  await page.screenshot({ path: join(artifacts, "profile-marks.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a cut-off trace shows its events with a note where it stopped", async () => {
  const { page, errors } = await open("truncated");
  const notes = await page.locator("#notes").innerText();
  assert.match(notes, /cut off/);
  assert.match(await page.locator("#status").innerText(), /slices/);
  assert.ok(Number(await page.locator("canvas.timeline-canvas").getAttribute("data-rects")) > 0);
  await noViolations(page, errors);
  await page.close();
});

void test("a JSON file that is not a trace, and a file that is not JSON, say so plainly", async () => {
  for (const [name, reason] of [
    ["notTrace", /not a Chrome trace: an object without traceEvents/],
    ["notJson", /not a Chrome trace: it starts with/],
  ] as const) {
    const { page, errors } = await open(name);
    const alert = page.locator(".open-error[role=alert]");
    assert.match(await alert.innerText(), /not a trace the profile viewer can read/);
    assert.match(await alert.innerText(), reason);
    await page.screenshot({ path: join(artifacts, `profile-${name}.png`) });
    await noViolations(page, errors);
    await page.close();
  }
});

void test("a real onnxruntime profile from `edge run` (profile: true): its runs and kernels", async (t) => {
  if (!url.real) return t.skip("edge run wrote no profile.json (onnxruntime unavailable?)");
  const { page, errors } = await open("real");
  const status = await page.locator("#status").innerText();
  const runs = Number(/([\d,]+) runs/.exec(status)?.[1]);
  assert.ok(runs >= 1 && runs <= 6, `the profiled model_runs (of 1 warm-up + 5 iterations): ${status}`);
  await page.locator("#tab-ops").click();
  await page.locator("#ops-table").waitFor();
  const ops = await page.locator("#ops-table tbody tr td:first-child").allInnerTexts();
  assert.ok(ops.includes("Conv"), ops.join(","));
  const kernels = await zoomToRun(page, runs - 1);
  const c = await canvasBox(page);
  await page.mouse.move(c.x + kernels[0].x + kernels[0].width / 2, c.y + kernels[0].y + 8);
  await page.locator("#tooltip table.args").waitFor();
  assert.match(await page.locator("#tooltip").innerText(), /inputs\s+float\[/);
  await page.screenshot({ path: join(artifacts, "profile-real.png") });
  await noViolations(page, errors);
  await page.close();
});
