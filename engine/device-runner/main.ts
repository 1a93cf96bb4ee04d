// The device runner's entry (the bundle scripts/build.mjs makes, dist/device-runner.cjs, pushed as runner.cjs):
// `node runner.cjs PLAN.json`. What it does, its files and exit codes: runner.ts.
import { deviceRunner } from "./runner";

void deviceRunner(process.argv.slice(2)).then((code) => process.exit(code));
