// A recipe device to a transport: ssh devices through the OpenSSH client, adb devices through the adb command,
// with the work directory the recipe gives or the default of that kind of device. The tools' paths come from the
// caller (the extension's settings) or the environment (EDGE_ADB_PATH, EDGE_SSH_PATH; EDGE_PERF_TEST_PATH for the
// perf-test runner's binary, read by the pipeline).
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import type { DeviceKind } from "../../common/devices";
import { EdgeError, isEdgeError } from "../errors";
import type { Device } from "../recipe";
import { openAdbTransport } from "../transports/adb";
import { createLocalTransport } from "../transports/local";
import { createSshTransport, sshOptionsFromRecipe } from "../transports/ssh";
import type { Transport } from "../transports/transport";

/** Where the programs that reach devices are, and the environment they run with. */
export interface DeviceTools {
  /** The adb program (the `edge.adb.path` setting); default EDGE_ADB_PATH, ANDROID_HOME's, then PATH's. */
  adbPath?: string;
  /** The ssh program (the `edge.ssh.path` setting); default EDGE_SSH_PATH, then PATH's. */
  sshPath?: string;
  /** An OpenSSH config file instead of ~/.ssh/config (`ssh -F`); default EDGE_SSH_CONFIG, else the user's. */
  sshConfig?: string;
  /** A folder with glibc for Android devices (the `edge.glibc.path` setting); default EDGE_GLIBC_<ARCH>. */
  glibcDir?: string;
  /**
   * The user's onnxruntime_perf_test on this machine for `runner: perf-test` devices without `perf_test_path` or
   * `runner_path` (the `edge.perfTest.path` setting); default EDGE_PERF_TEST_PATH.
   */
  perfTestPath?: string;
  /** Environment of the tools (ANDROID_ADB_SERVER_PORT, HOME, …); default the process's. */
  env?: NodeJS.ProcessEnv;
}

export const defaultWorkdirs: Record<DeviceKind, string> = {
  local: "~/.cache/edge-studio/device",
  ssh: "~/.cache/edge-studio",
  adb: "/data/local/tmp/edge-studio",
};

export interface OpenedDevice {
  transport: Transport;
  kind: DeviceKind;
  workdir: string;
}

/** Opens the transport of a device; `recipeFile` anchors relative paths (an `identity_file`). */
export async function openDevice(
  name: string,
  device: Device,
  recipeFile: string,
  tools: DeviceTools = {},
): Promise<OpenedDevice> {
  const env = tools.env ?? process.env;
  if (device.ssh) {
    const identity = device.ssh.identity_file;
    const identityFile =
      identity === undefined
        ? undefined
        : identity === "~" || identity.startsWith("~/")
          ? resolve(homedir(), identity.slice(2))
          : isAbsolute(identity)
            ? identity
            : resolve(dirname(recipeFile), identity);
    const transport = createSshTransport(
      sshOptionsFromRecipe(
        { ...device.ssh },
        {
          identityFile,
          sshPath: tools.sshPath ?? (env.EDGE_SSH_PATH || undefined),
          configFile: tools.sshConfig ?? (env.EDGE_SSH_CONFIG || undefined),
          name,
        },
      ),
    );
    return { transport, kind: "ssh", workdir: device.workdir ?? defaultWorkdirs.ssh };
  }
  if (device.adb) {
    let transport;
    try {
      transport = await openAdbTransport({
        adbPath: tools.adbPath ?? (env.EDGE_ADB_PATH || undefined),
        serial: device.adb.serial,
        name,
        env,
      });
    } catch (e) {
      // Said of the recipe's device ("phone"), which the user named, not of the serial alone.
      if (!isEdgeError(e)) throw e;
      throw new EdgeError(e.code, `device "${name}": ${e.message}`, {
        where: { ...e.where, device: name, file: recipeFile },
        hint: e.hint,
        cause: e,
      });
    }
    return { transport, kind: "adb", workdir: device.workdir ?? defaultWorkdirs.adb };
  }
  if (device.local) {
    return {
      transport: createLocalTransport({ name }),
      kind: "local",
      workdir: device.workdir ?? defaultWorkdirs.local,
    };
  }
  throw new EdgeError("device/unknown", `device "${name}" names no transport (local, ssh or adb)`, {
    where: { device: name, file: recipeFile },
  });
}
