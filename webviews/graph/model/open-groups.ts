// Which groups of one body the user opened and closed (pure): the scopes opened (`expanded`) and the scopes closed
// (`collapsed`) that the layout would otherwise open by itself (it opens the largest group of a level, e.g. `/model`;
// LayoutOptions.collapsed wins over that). Double-click / Enter on a group flips it; revealing a node opens what hides
// it; "collapse all" goes back to the first view. Kept per body by the app and saved in GraphViewState.

export class OpenGroups {
  readonly expanded: Set<string>;
  readonly collapsed: Set<string>;

  constructor(expanded: Iterable<string> = [], collapsed: Iterable<string> = []) {
    this.expanded = new Set(expanded);
    this.collapsed = new Set(collapsed);
    for (const scope of this.collapsed) this.expanded.delete(scope);
  }

  /** A group shown open (`isOpen`) is closed, a closed one opened. */
  toggle(scope: string, isOpen: boolean): void {
    if (isOpen) this.close(scope);
    else this.open(scope);
  }

  open(scope: string): void {
    this.collapsed.delete(scope);
    this.expanded.add(scope);
  }

  close(scope: string): void {
    this.expanded.delete(scope);
    this.collapsed.add(scope);
  }

  /** Back to the first view: nothing opened or closed by the user (the layout's default groups open). */
  reset(): void {
    this.expanded.clear();
    this.collapsed.clear();
  }

  /** After "expand all": exactly these scopes are open, none closed. */
  setOpen(scopes: Iterable<string>): void {
    this.reset();
    for (const s of scopes) this.expanded.add(s);
  }
}
