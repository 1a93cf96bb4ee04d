// The runner's last check before it makes an input: a tensor of more elements than one typed array holds, or of
// more bytes than this machine has, is refused with a `run/input` error naming the input, instead of dying in the
// allocation ("RangeError: Invalid typed array length"). The limits are engine/inspect/input-footprint.ts's, the
// same the recipe checks use.
import { totalmem } from "node:os";
import { EdgeError, type Where } from "../errors";
import { cannotAllocate, inputFootprint } from "../inspect/input-footprint";

/** Throws `run/input` when input `name` of `dtype` and `shape` cannot be allocated here. */
export function checkInputAllocation(
  name: string,
  dtype: string,
  shape: readonly number[],
  where: Where = {},
  machineBytes: number = totalmem(),
): void {
  const footprint = inputFootprint(shape, dtype);
  const impossible = cannotAllocate(footprint, machineBytes);
  if (!impossible) return;
  throw new EdgeError(
    "run/input",
    `input "${name}": shape [${shape.join(", ")}] is ${footprint.text}, ${impossible}`,
    where,
    "give the input a smaller shape (model.inputs, or the sizes of its symbolic dims)",
  );
}
