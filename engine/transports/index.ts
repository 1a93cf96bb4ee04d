// The transports' public face for code outside the engine (the language server completes ssh hosts with it).
export { sshConfigHosts } from "./ssh-config";
export { shellCommand, shellQuote } from "./shell-quote";
export type { ExecOptions, ExecResult, Transport, TransferOptions, TransferProgress } from "./transport";
export { parseAdbDevices, type AdbDeviceEntry } from "./adb-devices";
