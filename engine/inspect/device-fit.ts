// Which device classes an estimated peak fits. A device fits when the estimate is within the memory a model can
// use there: all of an MCU's SRAM (weights included, no flash assumed), half of a phone's or board's RAM (the OS,
// other apps and the runtime keep the rest; Android's per-app limits are of that order). A class is named as its
// devices are sold ("1 MB MCU", "2 GB phone"), but its memory is the real number of bytes such a part has, which
// is binary (a "1 MB" SRAM holds 2^20 bytes); figures printed from these sizes use the product's decimal units.
// When the estimate cannot be trusted (a size past 2^53, a model with problems) there is no verdict: every class is
// `fits: null` and the summary says why.
import { formatBytes } from "../../common/units";

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

export interface DeviceClass {
  id: string;
  label: string;
  memoryBytes: number;
  /** What a model may use on it. */
  usableBytes: number;
}

/** Smallest first: a model that fits one class fits every later one. */
export const deviceClasses: readonly DeviceClass[] = [
  { id: "mcu-1mb", label: "1 MB MCU", memoryBytes: 1 * MIB, usableBytes: 1 * MIB },
  { id: "ram-2gb", label: "2 GB phone/board", memoryBytes: 2 * GIB, usableBytes: 1 * GIB },
  { id: "ram-8gb", label: "8 GB phone/laptop", memoryBytes: 8 * GIB, usableBytes: 4 * GIB },
  { id: "ram-12gb", label: "12 GB phone/Jetson", memoryBytes: 12 * GIB, usableBytes: 6 * GIB },
];

export const FIT_RULE =
  "fits when the estimated peak is at most the device's usable memory: all of a 1 MB MCU's SRAM (2^20 bytes, weights in RAM too), half the RAM of 2, 8 and 12 GB devices (2^30 bytes to a GB, as memory parts are sized)";

export interface FitReport {
  /** `fits` is null when there is no verdict. */
  devices: (DeviceClass & { fits: boolean | null })[];
  /** "fits: 2 GB phone/board and up; too big for a 1 MB MCU", or "unknown: …" when there is no verdict. */
  summary: string;
  rule: string;
}

/** The verdict for an estimate; `unknownBecause` refuses it ("the model has problems"). */
export function deviceFit(estimatedPeakBytes: number, unknownBecause?: string): FitReport {
  if (unknownBecause || !Number.isSafeInteger(estimatedPeakBytes))
    return {
      devices: deviceClasses.map((d) => ({ ...d, fits: null })),
      summary: `unknown: ${unknownBecause ?? "the estimate is not an exact number of bytes"}`,
      rule: FIT_RULE,
    };
  const devices = deviceClasses.map((d) => ({ ...d, fits: estimatedPeakBytes <= d.usableBytes }));
  const smallestFit = devices.find((d) => d.fits);
  const largestMiss = [...devices].reverse().find((d) => !d.fits);
  let summary: string;
  if (!smallestFit)
    summary = `fits none: too big for a ${largestMiss!.label} (usable ${formatBytes(largestMiss!.usableBytes)})`;
  else if (!largestMiss) summary = `fits: ${smallestFit.label} and up`;
  else summary = `fits: ${smallestFit.label} and up; too big for a ${largestMiss.label}`;
  return { devices, summary, rule: FIT_RULE };
}
