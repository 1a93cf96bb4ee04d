// Which device classes an estimated peak fits. A device fits when the estimate is within the memory a model can
// use there: all of an MCU's SRAM (weights included, no flash assumed), half of a phone's or board's RAM (the OS,
// other apps and the runtime keep the rest; Android's per-app limits are of that order).

export interface DeviceClass {
  id: string;
  label: string;
  memoryBytes: number;
  /** What a model may use on it. */
  usableBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Smallest first: a model that fits one class fits every later one. */
export const deviceClasses: readonly DeviceClass[] = [
  { id: "mcu-1mb", label: "1 MB MCU", memoryBytes: 1 * MiB, usableBytes: 1 * MiB },
  { id: "ram-2gb", label: "2 GB phone/board", memoryBytes: 2 * GiB, usableBytes: 1 * GiB },
  { id: "ram-8gb", label: "8 GB phone/laptop", memoryBytes: 8 * GiB, usableBytes: 4 * GiB },
  { id: "ram-12gb", label: "12 GB phone/Jetson", memoryBytes: 12 * GiB, usableBytes: 6 * GiB },
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
  if (!smallestFit) summary = `fits none: too big for a ${largestMiss!.label} (usable ${Math.round(largestMiss!.usableBytes / GiB)} GB)`;
  else if (!largestMiss) summary = `fits: ${smallestFit.label} and up`;
  else summary = `fits: ${smallestFit.label} and up; too big for a ${largestMiss.label}`;
  return { devices, summary, rule: FIT_RULE };
}
