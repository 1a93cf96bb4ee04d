// Which device classes an estimated peak fits. A device fits when the estimate is within the memory a model can
// use there: all of an MCU's SRAM (weights included, no flash assumed), half of a phone's or board's RAM (the OS,
// other apps and the runtime keep the rest; Android's per-app limits are of that order). Sizes in the product's
// decimal units (common/units.ts): a "2 GB" class has 2 × 10^9 bytes.
import { BYTES_PER_GB, BYTES_PER_MB } from "../../common/units";

export interface DeviceClass {
  id: string;
  label: string;
  memoryBytes: number;
  /** What a model may use on it. */
  usableBytes: number;
}

/** Smallest first: a model that fits one class fits every later one. */
export const deviceClasses: readonly DeviceClass[] = [
  { id: "mcu-1mb", label: "1 MB MCU", memoryBytes: 1 * BYTES_PER_MB, usableBytes: 1 * BYTES_PER_MB },
  { id: "ram-2gb", label: "2 GB phone/board", memoryBytes: 2 * BYTES_PER_GB, usableBytes: 1 * BYTES_PER_GB },
  { id: "ram-8gb", label: "8 GB phone/laptop", memoryBytes: 8 * BYTES_PER_GB, usableBytes: 4 * BYTES_PER_GB },
  { id: "ram-12gb", label: "12 GB phone/Jetson", memoryBytes: 12 * BYTES_PER_GB, usableBytes: 6 * BYTES_PER_GB },
];

export const FIT_RULE = "fits when the estimated peak is at most the device's usable memory: all of a 1 MB MCU's SRAM (weights in RAM too), half the RAM of 2, 8 and 12 GB devices";

export interface FitReport {
  devices: (DeviceClass & { fits: boolean })[];
  /** "fits: 2 GB phone/board and up; too big for a 1 MB MCU". */
  summary: string;
  rule: string;
}

export function deviceFit(estimatedPeakBytes: number): FitReport {
  const devices = deviceClasses.map((d) => ({ ...d, fits: estimatedPeakBytes <= d.usableBytes }));
  const smallestFit = devices.find((d) => d.fits);
  const largestMiss = [...devices].reverse().find((d) => !d.fits);
  let summary: string;
  if (!smallestFit) summary = `fits none: too big for a ${largestMiss!.label} (usable ${Math.round(largestMiss!.usableBytes / BYTES_PER_GB)} GB)`;
  else if (!largestMiss) summary = `fits: ${smallestFit.label} and up`;
  else summary = `fits: ${smallestFit.label} and up; too big for a ${largestMiss.label}`;
  return { devices, summary, rule: FIT_RULE };
}
