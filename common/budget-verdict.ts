// A recipe budget's verdict: what report.json lists under `budgets` and what a `budget` event carries while the
// run is checked. Its own file, so the report and the events can both use it without importing each other.

/** A recipe budget checked against the run. Limits and actual values are in the budget's unit (MB = 10^6 bytes). */
export interface BudgetVerdict {
  name: string;
  limit: number;
  actual: number | null;
  unit: string;
  /** true: within the limit; false: exceeded; null: not checked (see `reason`). */
  pass: boolean | null;
  reason?: string;
}
