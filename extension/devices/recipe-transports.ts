// The transports of the devices a recipe defines (`devices: { NAME: { adb: { serial } | ssh: {…} | local: {} } }`),
// read cheaply from its text like run/recipe-devices.ts reads their names: for matching an attached phone to the
// recipe's own device (CodeLens, Run Recipe Here…), and ssh options for Open Shell. Pure; YAML loads on first use.
export type RecipeTransport =
  | { kind: "local" }
  | { kind: "adb"; serial?: string }
  | { kind: "ssh"; host: string; user?: string; port?: number; identityFile?: string; proxyJump?: string };

/** Device name → transport, in the recipe's order. Devices without exactly one known transport are left out. */
export type RecipeTransports = Map<string, RecipeTransport>;

export async function readRecipeTransports(text: string): Promise<RecipeTransports> {
  const { parse } = await import("yaml");
  const result: RecipeTransports = new Map();
  let root: unknown;
  try {
    root = parse(text, { uniqueKeys: false, strict: false });
  } catch {
    return result;
  }
  if (!isObject(root) || !isObject(root.devices)) return result;
  for (const [name, device] of Object.entries(root.devices)) {
    if (!isObject(device)) continue;
    const transport = transportOf(device);
    if (transport) result.set(name, transport);
  }
  return result;
}

function transportOf(device: Record<string, unknown>): RecipeTransport | undefined {
  const kinds = ["local", "adb", "ssh"].filter((k) => k in device);
  if (kinds.length !== 1) return undefined;
  if (kinds[0] === "local") return { kind: "local" };
  if (kinds[0] === "adb") {
    const adb = device.adb;
    const serial = isObject(adb) ? adb.serial : undefined;
    return typeof serial === "string" && serial !== "" ? { kind: "adb", serial } : { kind: "adb" };
  }
  const ssh = device.ssh;
  if (!isObject(ssh) || typeof ssh.host !== "string" || ssh.host === "") return undefined;
  const transport: RecipeTransport = { kind: "ssh", host: ssh.host };
  if (typeof ssh.user === "string" && ssh.user !== "") transport.user = ssh.user;
  if (typeof ssh.port === "number" && Number.isInteger(ssh.port)) transport.port = ssh.port;
  if (typeof ssh.identity_file === "string" && ssh.identity_file !== "") transport.identityFile = ssh.identity_file;
  if (typeof ssh.proxy_jump === "string" && ssh.proxy_jump !== "") transport.proxyJump = ssh.proxy_jump;
  return transport;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
