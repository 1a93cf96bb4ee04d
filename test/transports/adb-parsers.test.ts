// The adb transport's pure pieces: `adb devices -l` lines, track-devices frames, the marker filter that takes the
// pid and exit lines out of a command's stderr in any split, and the device choice's errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseAdbDevice, parseAdbDevices } from "../../engine/transports/adb-devices";
import { MarkerFilter, wrapCommand } from "../../engine/transports/adb-marker";
import { TrackFrameReader } from "../../engine/transports/adb-track";
import { EdgeError } from "../../engine/errors";

void test("adb devices -l: serials, states (also of two words) and the model", () => {
  const out = [
    "* daemon not running; starting now at tcp:5037",
    "* daemon started successfully",
    "List of devices attached",
    "1A2B3C4D               device usb:1-1 product:husky model:Pixel_8_Pro device:husky transport_id:1",
    "127.0.0.1:4000\toffline transport_id:2",
    "emulator-5554          unauthorized transport_id:3",
    "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html] usb:1-2 transport_id:4",
    "",
  ].join("\n");
  const devices = parseAdbDevices(out);
  assert.deepEqual(devices[0], {
    serial: "1A2B3C4D",
    state: "device",
    product: "husky",
    model: "Pixel_8_Pro",
    device: "husky",
    transportId: "1",
  });
  assert.deepEqual(
    devices.map((d) => [d.serial, d.state.split(" ").slice(0, 2).join(" ")]),
    [
      ["1A2B3C4D", "device"],
      ["127.0.0.1:4000", "offline"],
      ["emulator-5554", "unauthorized"],
      ["0123456789ABCDEF", "no permissions"],
    ],
  );
});

void test("choosing a device: the only one, a named one, and clear errors", () => {
  const one = [{ serial: "A", state: "device" }];
  assert.equal(chooseAdbDevice(one).serial, "A");
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof EdgeError);
      return `${e.code}: ${e.message}`;
    }
    return "no error";
  };
  assert.match(
    code(() => chooseAdbDevice([])),
    /^transport\/unreachable: no Android device/,
  );
  assert.match(
    code(() => chooseAdbDevice([...one, { serial: "B", state: "device" }])),
    /several.*A \(device\), B \(device\)/,
  );
  assert.match(
    code(() => chooseAdbDevice(one, "Z")),
    /^transport\/unreachable: .*Z is not attached.*A \(device\)/,
  );
  assert.match(
    code(() => chooseAdbDevice([{ serial: "U", state: "unauthorized" }], "U")),
    /^transport\/auth:/,
  );
  assert.match(
    code(() => chooseAdbDevice([{ serial: "O", state: "offline" }])),
    /^transport\/unreachable: .*O is offline/,
  );
});

void test("track-devices frames: four hex digits of length, then the lines, in any split", () => {
  const frames = ["", "127.0.0.1:4000\tdevice\n", "127.0.0.1:4000\toffline\nX\tdevice\n"];
  const bytes = Buffer.from(frames.map((f) => Buffer.byteLength(f).toString(16).padStart(4, "0") + f).join(""));
  for (const step of [1, 3, 4, 5, bytes.length]) {
    const reader = new TrackFrameReader();
    const got: string[] = [];
    for (let at = 0; at < bytes.length; at += step) got.push(...reader.push(bytes.subarray(at, at + step)));
    assert.deepEqual(got, frames, `split every ${step} bytes`);
  }
  assert.throws(() => new TrackFrameReader().push("zz12"), /not an adb frame length/);
});

void test("the marker filter removes pid and exit lines in any split and passes the rest unchanged", () => {
  const token = "EDGEabcdef0123456789";
  const stream = Buffer.from(`${token} pid 4242\nerr one\npartial E${token} exit 7\nEDGE not a marker\nEDG`);
  for (let step = 1; step <= stream.length; step++) {
    const filter = new MarkerFilter(token);
    const out: Buffer[] = [];
    const events: unknown[] = [];
    for (let at = 0; at < stream.length; at += step) {
      const r = filter.push(stream.subarray(at, at + step));
      out.push(r.output);
      events.push(...r.events);
    }
    out.push(filter.flush());
    assert.equal(Buffer.concat(out).toString(), "err one\npartial EEDGE not a marker\nEDG", `split every ${step}`);
    assert.deepEqual(events, [
      { kind: "pid", pid: 4242 },
      { kind: "exit", code: 7 },
    ]);
  }
});

void test("the wrapped command quotes every argument, the folder and the environment", () => {
  const cmd = wrapCommand(["ls", "a b", "$(x)"], { cwd: "/d/it's", env: { A: "1 2" } }, "EDGEt");
  assert.equal(cmd, `echo EDGEt pid $$ >&2; cd '/d/it'\\''s' && env 'A=1 2' ls 'a b' '$(x)'; echo EDGEt exit $? >&2`);
});
